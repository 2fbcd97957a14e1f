package io.agentwatch.server.stream;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The subscriptions waiting for a connection to become writable again, woken on another thread
 * (never the I/O callback's own) once it is. Thread-safe.
 */
final class Waiters {

  private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final Executor executor;

  Waiters(Executor executor) {
    this.executor = executor;
  }

  /** Adds {@code resume}; it runs at the next {@link #wake}, at once if {@code writableNow}. */
  void add(Runnable resume, boolean writableNow) {
    waiting.add(resume);
    if (writableNow) {
      wake();
    }
  }

  boolean any() {
    return !waiting.isEmpty();
  }

  /** Hands every waiter to the executor (dropped when it is shutting down). */
  void wake() {
    Runnable waiter;
    while ((waiter = waiting.poll()) != null) {
      try {
        executor.execute(waiter);
      } catch (RejectedExecutionException e) {
        return;
      }
    }
  }
}
