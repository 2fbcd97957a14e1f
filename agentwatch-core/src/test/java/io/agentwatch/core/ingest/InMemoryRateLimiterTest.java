package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryRateLimiterTest extends RateLimiterContract {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T16:00:00Z"));

  @Override
  protected RateLimiter newLimiter(int perSecond) {
    return new InMemoryRateLimiter(perSecond, clock);
  }

  @Override
  protected void elapse(Duration d) {
    clock.advance(d);
  }

  @Test
  void retryAfterIsExactOnAHandMovedClock() {
    RateLimiter limiter = newLimiter(4);
    limiter.tryAcquire("t1", 4);
    clock.advance(Duration.ofMillis(100));

    // 0.4 tokens back; 1.6 missing at 4/s.
    assertThat(limiter.tryAcquire("t1", 2).retryAfter()).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void aLongIdleTimeRefillsWithoutOverflow() {
    RateLimiter limiter = newLimiter(Integer.MAX_VALUE / 2);
    limiter.tryAcquire("t1", Integer.MAX_VALUE);
    clock.advance(Duration.ofDays(365 * 100));

    assertThat(limiter.tryAcquire("t1", Integer.MAX_VALUE).granted()).isTrue();
  }

  @Test
  void aBudgetBelowOneIsRefused() {
    assertThatThrownBy(() -> new InMemoryRateLimiter(0, clock))
        .hasMessage("perSecond must be at least 1 but was 0");
  }
}
