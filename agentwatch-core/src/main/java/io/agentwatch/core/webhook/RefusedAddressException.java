package io.agentwatch.core.webhook;

/** A webhook URL whose host does not resolve or resolves to an address webhooks may not reach. */
public final class RefusedAddressException extends RuntimeException {

  public RefusedAddressException(String message) {
    super(message);
  }
}
