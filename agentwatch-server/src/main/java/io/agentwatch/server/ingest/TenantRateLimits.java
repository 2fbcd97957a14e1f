package io.agentwatch.server.ingest;

import io.agentwatch.core.ingest.RateLimiter;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.server.web.ApiException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events per second per tenant, over a {@link RateLimiter}: in process in the embedded deployment,
 * one budget shared by every node through Redis in a cluster. A request that would exceed its
 * tenant's budget is refused whole with 429 and the time after which it would fit.
 *
 * <p>When the shared limiter cannot decide (Redis is down), requests are let through: a rate
 * limit protects the service, and refusing all ingest for it would turn a Redis outage into an
 * ingest outage. Health reports the outage, and it is logged at most once a minute.
 */
public final class TenantRateLimits {

  private static final Logger LOG = LoggerFactory.getLogger(TenantRateLimits.class);
  private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final RateLimiter limiter;
  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);

  public TenantRateLimits(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /** @throws ApiException 429 when {@code tenant} has no room for {@code events} now */
  public void acquire(String tenant, int events) {
    RateLimiter.Decision decision;
    try {
      decision = limiter.tryAcquire(tenant, events);
    } catch (UnavailableException e) {
      long last = lastWarning.get();
      if (System.nanoTime() - last > WARN_EVERY_NANOS && lastWarning.compareAndSet(last, System.nanoTime())) {
        LOG.warn("the rate limiter cannot decide, so requests go through unlimited: {}", e.getMessage());
      }
      return;
    }
    if (!decision.granted()) {
      throw ApiException.tooManyRequests("tenant '" + tenant + "' is over its ingest rate of " + limiter.perSecond()
          + " events/s; retry later", decision.retryAfter());
    }
  }
}
