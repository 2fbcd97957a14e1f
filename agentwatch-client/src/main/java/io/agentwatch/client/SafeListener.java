package io.agentwatch.client;

import java.time.Duration;

/** Shields the sending thread from a listener that throws: a broken callback must not stop delivery. */
final class SafeListener implements ClientListener {

  private final ClientListener delegate;

  SafeListener(ClientListener delegate) {
    this.delegate = delegate;
  }

  @Override
  public void rejected(String id, String type, String error) {
    try {
      delegate.rejected(id, type, error);
    } catch (RuntimeException ignored) {
      // The listener's own failure; the event's fate is already decided.
    }
  }

  @Override
  public void evicted(String id, String type) {
    try {
      delegate.evicted(id, type);
    } catch (RuntimeException ignored) {
      // As above.
    }
  }

  @Override
  public void transportChanged(Transport transport, String detail) {
    try {
      delegate.transportChanged(transport, detail);
    } catch (RuntimeException ignored) {
      // As above.
    }
  }

  @Override
  public void retrying(String problem, Duration retryIn) {
    try {
      delegate.retrying(problem, retryIn);
    } catch (RuntimeException ignored) {
      // As above.
    }
  }
}
