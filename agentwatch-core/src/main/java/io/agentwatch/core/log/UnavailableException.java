package io.agentwatch.core.log;

/**
 * The log cannot take or serve events now (closing, disk or backend failure). Answered with 503
 * and {@code Retry-After}; nothing of the failed call was acknowledged.
 */
public class UnavailableException extends RuntimeException {

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  public UnavailableException(String message) {
    super(message);
  }
}
