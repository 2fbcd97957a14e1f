package io.agentwatch.server.resilience;

import io.agentwatch.core.log.UnavailableException;
import java.time.Duration;

/**
 * A distributed backend (PostgreSQL, Kafka, Redis) cannot serve now, either because a call to it
 * failed or because its circuit breaker is open and refuses calls without trying. Answered with
 * 503 and a {@code Retry-After} of {@link #retryAfter()}; nothing of the refused call was done.
 */
public final class BackendUnavailableException extends UnavailableException {

  private final String backend;
  private final Duration retryAfter;

  public BackendUnavailableException(String backend, String message, Duration retryAfter, Throwable cause) {
    super(message, cause);
    this.backend = backend;
    this.retryAfter = retryAfter;
  }

  /** The backend's name as health reports it: {@code postgres}, {@code kafka} or {@code redis}. */
  public String backend() {
    return backend;
  }

  /** Whether the open circuit refused the call without trying the backend. */
  public boolean circuitOpen() {
    return getCause() == null;
  }

  /** How long a client should wait before trying again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
