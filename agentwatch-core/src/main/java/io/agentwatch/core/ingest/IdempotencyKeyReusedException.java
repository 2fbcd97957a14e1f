package io.agentwatch.core.ingest;

/** An {@code Idempotency-Key} came back with another body than the first time: a client error (422). */
public final class IdempotencyKeyReusedException extends RuntimeException {

  public IdempotencyKeyReusedException(String key) {
    super("Idempotency-Key '" + key + "' was already used with a different body");
  }
}
