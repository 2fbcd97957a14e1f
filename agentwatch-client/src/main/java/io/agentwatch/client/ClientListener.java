package io.agentwatch.client;

import java.time.Duration;

/**
 * Hears what happens to events after {@code emit} and to the connection. Called on the client's
 * sending thread: return quickly and never block.
 */
public interface ClientListener {

  /** The server refused an event for what it is (a validation error); it is not sent again. */
  default void rejected(String id, String type, String error) {}

  /** An event was evicted from the full buffer in favour of a more important one. */
  default void evicted(String id, String type) {}

  /** The client now sends over {@code transport}; {@code detail} says why it changed. */
  default void transportChanged(Transport transport, String detail) {}

  /** Sending failed and will be retried after {@code retryIn}; the events stay buffered. */
  default void retrying(String problem, Duration retryIn) {}
}
