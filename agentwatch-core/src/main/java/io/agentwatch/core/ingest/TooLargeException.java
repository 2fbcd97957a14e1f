package io.agentwatch.core.ingest;

/** A request over a size or count limit (answered with 413). */
public final class TooLargeException extends RuntimeException {

  public TooLargeException(String message) {
    super(message);
  }
}
