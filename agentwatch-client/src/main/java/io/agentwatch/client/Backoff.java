package io.agentwatch.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th retry (from 0) waits a uniformly random time in
 * {@code [0, min(max, initial * 2^n)]}, so many clients that lost the same server do not return
 * in step. A server's {@code Retry-After} is a floor: the wait is that plus a jitter of up to
 * {@code initial}, never less.
 *
 * @param initial the cap of the first retry's wait; positive
 * @param max     the largest wait; at least {@code initial}
 */
record Backoff(Duration initial, Duration max) {

  Backoff {
    if (initial == null || initial.isNegative() || initial.isZero()) {
      throw new IllegalArgumentException("backoff initial must be positive but was " + initial);
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff max must be at least initial (" + initial + ") but was " + max);
    }
  }

  /** The cap of the wait before retry {@code attempt} (0 for the first retry). */
  Duration ceiling(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0 but was " + attempt);
    }
    long maxNanos = max.toNanos();
    // Doubling past 62 bits would overflow; by then the cap has long been reached.
    if (attempt >= 62 || initial.toNanos() > (maxNanos >> attempt)) {
      return max;
    }
    return Duration.ofNanos(initial.toNanos() << attempt);
  }

  /** The wait before retry {@code attempt}: uniform in [0, ceiling]. */
  Duration delay(int attempt, RandomGenerator random) {
    long ceiling = ceiling(attempt).toNanos();
    return Duration.ofNanos(random.nextLong(ceiling + 1));
  }

  /** As {@link #delay(int, RandomGenerator)}, but at least {@code retryAfter} when the server named one. */
  Duration delay(int attempt, Duration retryAfter, RandomGenerator random) {
    if (retryAfter == null) {
      return delay(attempt, random);
    }
    return retryAfter.plusNanos(random.nextLong(initial.toNanos() + 1));
  }
}
