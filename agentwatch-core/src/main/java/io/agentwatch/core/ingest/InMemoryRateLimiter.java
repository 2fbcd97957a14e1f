package io.agentwatch.core.ingest;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link RateLimiter} of one process (the embedded deployment): a token bucket per tenant,
 * refilled from the given clock, so tests move time instead of sleeping.
 */
public final class InMemoryRateLimiter implements RateLimiter {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int perSecond;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public InMemoryRateLimiter(int perSecond, Clock clock) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be at least 1 but was " + perSecond);
    }
    this.perSecond = perSecond;
    this.clock = clock;
  }

  @Override
  public int perSecond() {
    return perSecond;
  }

  @Override
  public Decision tryAcquire(String tenant, int events) {
    return buckets.computeIfAbsent(tenant, t -> new Bucket()).take(RateLimiter.tokensFor(events, perSecond));
  }

  /** Tokens counted in nanotokens (a token is 1e9), so refill is exact for any rate. */
  private final class Bucket {
    private long nanoTokens = perSecond * NANOS_PER_SECOND;
    private long lastNanos = epochNanos();

    synchronized Decision take(int tokens) {
      long now = epochNanos();
      long elapsed = Math.max(0, now - lastNanos);
      lastNanos = Math.max(lastNanos, now);
      long capacity = perSecond * NANOS_PER_SECOND;
      // elapsed ns * perSecond tokens/s = nanotokens; saturates rather than overflowing after a long idle time.
      long refill = elapsed > capacity / perSecond ? capacity : elapsed * perSecond;
      nanoTokens = Math.min(capacity, nanoTokens + refill);
      long wanted = tokens * NANOS_PER_SECOND;
      if (nanoTokens >= wanted) {
        nanoTokens -= wanted;
        return Decision.GRANTED;
      }
      long missing = wanted - nanoTokens;
      return Decision.refused(Duration.ofNanos(Math.ceilDiv(missing, perSecond)));
    }
  }

  private long epochNanos() {
    java.time.Instant now = clock.instant();
    return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
  }
}
