package io.agentwatch.server.resilience;

import io.agentwatch.core.ingest.RateLimiter;

/** A {@link RateLimiter} behind its backend's circuit breaker: while it is open, no decision (unavailable). */
public final class GuardedRateLimiter implements RateLimiter {

  private final RateLimiter limiter;
  private final BackendGuard guard;

  public GuardedRateLimiter(RateLimiter limiter, BackendGuard guard) {
    this.limiter = limiter;
    this.guard = guard;
  }

  @Override
  public int perSecond() {
    return limiter.perSecond();
  }

  @Override
  public Decision tryAcquire(String tenant, int events) {
    return guard.write(() -> limiter.tryAcquire(tenant, events));
  }

  @Override
  public void check() {
    guard.check(limiter::check);
  }

  @Override
  public void close() {
    limiter.close();
  }
}
