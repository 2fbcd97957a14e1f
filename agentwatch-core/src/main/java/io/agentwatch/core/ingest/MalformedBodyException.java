package io.agentwatch.core.ingest;

/** A request body that is not JSON or NDJSON of the expected shape at all (answered with 400). */
public final class MalformedBodyException extends RuntimeException {

  public MalformedBodyException(String message) {
    super(message);
  }
}
