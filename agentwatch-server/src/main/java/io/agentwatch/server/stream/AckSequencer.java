package io.agentwatch.server.stream;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Sends the replies to a connection's publishes in the order of the publishes, whether a reply is
 * an ack after durability or a refusal known at once — a client that pairs replies with
 * publishes by order is never misled. Replies go out from virtual threads, never from the log's
 * writer. At most {@link #MAX_IN_FLIGHT} publishes may await their reply; more are refused (in
 * order), so a client that never reads its acks cannot grow this chain without bound.
 */
final class AckSequencer {

  static final int MAX_IN_FLIGHT = 256;

  private final Consumer<Map<String, ?>> send;
  private final Executor executor;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private int inFlight;

  AckSequencer(Consumer<Map<String, ?>> send, Executor executor) {
    this.send = send;
    this.executor = executor;
  }

  /** Whether another publish would exceed the bound. */
  synchronized boolean full() {
    return inFlight >= MAX_IN_FLIGHT;
  }

  /**
   * Queues the reply of the next publish; {@code reply} must complete normally with an ack or
   * error frame.
   */
  synchronized void enqueue(CompletableFuture<Map<String, ?>> reply) {
    inFlight++;
    tail = tail.thenCompose(ignored -> reply).thenAcceptAsync(this::deliver, executor);
  }

  private void deliver(Map<String, ?> frame) {
    try {
      send.accept(frame);
    } finally {
      synchronized (this) {
        inFlight--;
      }
    }
  }

  /** Completes once every queued reply was sent. */
  synchronized CompletableFuture<Void> drained() {
    return tail;
  }
}
