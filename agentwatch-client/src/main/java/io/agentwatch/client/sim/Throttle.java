package io.agentwatch.client.sim;

import java.util.concurrent.locks.LockSupport;

/**
 * Spaces the events of all simulated agents to at most {@code perSecond} together: each emit takes
 * the next slot on a shared timeline and waits until it comes. Zero or less means no limit.
 */
final class Throttle {

  private final long intervalNanos;
  private long next = System.nanoTime();

  Throttle(double perSecond) {
    this.intervalNanos = perSecond > 0 ? Math.max(1, (long) (1_000_000_000L / perSecond)) : 0;
  }

  void acquire() {
    if (intervalNanos == 0) {
      return;
    }
    long slot;
    synchronized (this) {
      long now = System.nanoTime();
      // A quiet spell earns no burst beyond one second's worth.
      next = Math.max(next, now - 1_000_000_000L) + intervalNanos;
      slot = next;
    }
    long wait = slot - System.nanoTime();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }
}
