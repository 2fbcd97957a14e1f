package io.agentwatch.core.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * When a failed delivery is tried again: after its n-th failed attempt it waits
 * {@code delays[n-1]} (the last delay repeats when attempts outnumber delays), stretched or
 * shrunk by a random factor within {@code ±jitter} so that deliveries that failed together do
 * not all come back together; after {@code maxAttempts} attempts it is dead.
 *
 * @param delays      the waits after the 1st, 2nd, … failed attempt; at least one, each positive
 * @param jitter      0 (exact) up to, but excluding, 1
 * @param maxAttempts attempts in all, the first included; at least 1
 */
public record RetrySchedule(List<Duration> delays, double jitter, int maxAttempts) {

  /** 5 s, 30 s, 2 min, 10 min, 1 h, 6 h, ±20 %: seven attempts over about seven hours. */
  public static final RetrySchedule DEFAULT = new RetrySchedule(List.of(Duration.ofSeconds(5),
      Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(10), Duration.ofHours(1),
      Duration.ofHours(6)), 0.2, 7);

  public RetrySchedule {
    if (delays == null || delays.isEmpty()) {
      throw new IllegalArgumentException("the retry delays must list at least one duration");
    }
    delays = List.copyOf(delays);
    for (Duration d : delays) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("every retry delay must be positive but one was " + d);
      }
    }
    if (!(jitter >= 0 && jitter < 1)) {
      throw new IllegalArgumentException("jitter must be 0 or more and below 1 but was " + jitter);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("max attempts must be at least 1 but was " + maxAttempts);
    }
  }

  /** The planned wait after {@code failedAttempts} failures (1 or more), before jitter. */
  public Duration delay(int failedAttempts) {
    if (failedAttempts < 1) {
      throw new IllegalArgumentException("failed attempts must be at least 1 but was " + failedAttempts);
    }
    return delays.get(Math.min(failedAttempts, delays.size()) - 1);
  }

  /** When to try again after {@code failedAttempts} failures, or null when that was the last attempt. */
  public Instant next(int failedAttempts, Instant now, RandomGenerator random) {
    if (failedAttempts >= maxAttempts) {
      return null;
    }
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return now.plusNanos((long) (delay(failedAttempts).toNanos() * factor));
  }
}
