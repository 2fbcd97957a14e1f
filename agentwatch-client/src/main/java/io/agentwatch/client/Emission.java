package io.agentwatch.client;

import java.util.concurrent.CompletableFuture;

/**
 * What {@link AgentwatchClient#emit} did with an event.
 *
 * @param id     the event's id (made by the client unless the draft named one)
 * @param status whether the event was buffered for sending
 * @param stored completes when the server acknowledged the event as durable (stored now or
 *               before, as a duplicate); completes exceptionally with {@link EventNotStoredException}
 *               when the server rejected it, it was evicted from the buffer, it was refused, or the
 *               client closed before it could be sent
 */
public record Emission(String id, Status status, CompletableFuture<Void> stored) {

  /** Whether an event was taken. */
  public enum Status {
    /** In the buffer; it will be sent, and resent until the server acknowledges it. */
    BUFFERED,
    /**
     * Not taken: the buffer is full of events that may not be evicted for this one (see the policy in
     * {@link AgentwatchClient}). Nothing was dropped; emit it again later or slow down.
     */
    BACK_PRESSURE,
    /** Not taken: the client is closed. */
    CLOSED
  }

  /** Whether the event was buffered. */
  public boolean accepted() {
    return status == Status.BUFFERED;
  }
}
