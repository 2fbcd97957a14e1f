package io.agentwatch.server.ingest;

import io.agentwatch.server.web.ApiException;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events per second per tenant, in process (the embedded deployment). A request that would exceed
 * its tenant's budget is refused whole with 429 and the time after which it would fit.
 */
public final class TenantRateLimits {

  private final RateLimiterConfig config;
  private final int perSecond;
  private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();

  public TenantRateLimits(int eventsPerSecond) {
    this.perSecond = eventsPerSecond;
    this.config = RateLimiterConfig.custom()
        .limitForPeriod(eventsPerSecond)
        .limitRefreshPeriod(Duration.ofSeconds(1))
        .timeoutDuration(Duration.ZERO)
        .build();
  }

  /** @throws ApiException 429 when {@code tenant} has no room for {@code events} now */
  public void acquire(String tenant, int events) {
    RateLimiter limiter = limiters.computeIfAbsent(tenant, t -> RateLimiter.of("ingest-" + t, config));
    // A batch larger than a whole second's budget still goes through once the second is free.
    int permits = Math.min(Math.max(events, 1), perSecond);
    if (!limiter.acquirePermission(permits)) {
      throw ApiException.tooManyRequests(
          "tenant '" + tenant + "' is over its ingest rate of " + perSecond + " events/s; retry later",
          Duration.ofSeconds(1));
    }
  }
}
