package io.agentwatch.core.ingest;

import java.time.Duration;

/**
 * Events per second per tenant, as a token bucket: a tenant's bucket holds at most one second's
 * budget and refills continuously at that rate. A request takes as many tokens as it carries
 * events, or none at all: it is granted whole or refused whole with the time after which it
 * would fit. A request larger than a whole second's budget counts as one second's budget, so it
 * still goes through once the bucket is full.
 *
 * <p>Contract (checked by {@code RateLimiterContract}): tenants never share a bucket; concurrent
 * requests never take more than the bucket holds; a refused request takes nothing. Thread-safe;
 * an adapter shared by several nodes enforces one budget across them. May block on I/O; throws
 * {@link io.agentwatch.core.log.UnavailableException} when it cannot decide (the caller chooses
 * whether to let the request through).
 */
public interface RateLimiter extends AutoCloseable {

  /**
   * The answer to one request.
   *
   * @param retryAfter zero when granted; otherwise how long until the request would fit
   */
  record Decision(boolean granted, Duration retryAfter) {

    public static final Decision GRANTED = new Decision(true, Duration.ZERO);

    public Decision {
      if (granted != retryAfter.isZero() || retryAfter.isNegative()) {
        throw new IllegalArgumentException(
            "a granted decision waits zero, a refused one a positive time, but was granted=" + granted
                + " retryAfter=" + retryAfter);
      }
    }

    public static Decision refused(Duration retryAfter) {
      return new Decision(false, retryAfter);
    }
  }

  /** The budget every tenant gets, in events per second. */
  int perSecond();

  /** Takes {@code events} tokens from {@code tenant}'s bucket, or refuses and takes none. */
  Decision tryAcquire(String tenant, int events);

  /** Throws when the limiter cannot decide (used by health checks); does nothing when it can. */
  default void check() {}

  @Override
  default void close() {}

  /** The tokens a request of {@code events} takes: at least one, at most a second's budget. */
  static int tokensFor(int events, int perSecond) {
    return Math.min(Math.max(events, 1), perSecond);
  }
}
