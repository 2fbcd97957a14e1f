package io.agentwatch.server.stream;

import java.time.Duration;

/**
 * When to flush a stream's buffered events: not after each one, but once nothing more arrived
 * within a few milliseconds of the first unflushed event. A live view waits at most
 * {@link #MAX_DELAY} longer, and a busy stream costs one wake-up and one write per burst instead
 * of per event — with a hundred subscribers that is the difference between starving ingest and
 * not. Used by one thread.
 */
final class Linger {

  static final Duration MAX_DELAY = Duration.ofMillis(5);

  private long flushBy = -1;

  boolean pending() {
    return flushBy >= 0;
  }

  /** An event was buffered; the first of a burst starts the clock. */
  void buffered() {
    if (flushBy < 0) {
      flushBy = System.nanoTime() + MAX_DELAY.toNanos();
    }
  }

  /**
   * Nothing is queued right now: sleeps until the deadline and returns true to look again, or
   * returns false when it is time to flush.
   */
  boolean waitMore() {
    long left = flushBy - System.nanoTime();
    if (left <= 0) {
      return false;
    }
    try {
      Thread.sleep(Duration.ofNanos(left));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return true;
  }

  void flushed() {
    flushBy = -1;
  }
}
