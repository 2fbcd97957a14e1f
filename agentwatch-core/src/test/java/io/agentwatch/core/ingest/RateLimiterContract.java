package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.ingest.RateLimiter.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The {@link RateLimiter} contract. Each adapter binds it with fresh limiters whose tenants have
 * full buckets, and says how time passes for them. An adapter on a real clock sees a few
 * milliseconds pass between calls, so bounds allow for it.
 */
public abstract class RateLimiterContract {

  /** A new limiter of {@code perSecond} events per second per tenant, every bucket full. */
  protected abstract RateLimiter newLimiter(int perSecond) throws Exception;

  /** Lets {@code d} pass for the limiter. */
  protected abstract void elapse(Duration d) throws InterruptedException;

  @Test
  void aFullBucketGrantsOneSecondsBudgetThenRefuses() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      assertThat(limiter.tryAcquire("t1", 10).granted()).isTrue();

      Decision refused = limiter.tryAcquire("t1", 1);
      assertThat(refused.granted()).isFalse();
      assertThat(refused.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(100));
    }
  }

  @Test
  void retryAfterSaysWhenTheRequestWouldFit() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      limiter.tryAcquire("t1", 10);

      Decision refused = limiter.tryAcquire("t1", 5);
      assertThat(refused.retryAfter()).isBetween(Duration.ofMillis(300), Duration.ofMillis(500));
      elapse(refused.retryAfter().plusMillis(50));
      assertThat(limiter.tryAcquire("t1", 5).granted()).isTrue();
    }
  }

  @Test
  void aRefusedRequestTakesNothing() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      limiter.tryAcquire("t1", 8);
      for (int i = 0; i < 5; i++) {
        assertThat(limiter.tryAcquire("t1", 10).granted()).isFalse();
      }

      assertThat(limiter.tryAcquire("t1", 2).granted()).isTrue();
    }
  }

  @Test
  void aBatchLargerThanOneSecondsBudgetGoesThroughOnceTheBucketIsFull() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      assertThat(limiter.tryAcquire("t1", 1_000).granted()).isTrue();
      assertThat(limiter.tryAcquire("t1", 1_000).retryAfter()).isBetween(Duration.ofMillis(800), Duration.ofSeconds(1));
    }
  }

  @Test
  void theBucketRefillsUpToOneSecondsBudgetAndNoFurther() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      limiter.tryAcquire("t1", 10);
      elapse(Duration.ofMillis(1_500));

      assertThat(limiter.tryAcquire("t1", 10).granted()).isTrue();
      assertThat(limiter.tryAcquire("t1", 2).granted()).isFalse();
    }
  }

  @Test
  void tenantsNeverShareABucket() throws Exception {
    try (RateLimiter limiter = newLimiter(10)) {
      limiter.tryAcquire("t1", 10);

      assertThat(limiter.tryAcquire("t2", 10).granted()).isTrue();
      assertThat(limiter.tryAcquire("t1", 5).granted()).isFalse();
    }
  }

  @Test
  void concurrentRequestsNeverTakeMoreThanTheBucketHolds() throws Exception {
    int perSecond = 50;
    try (RateLimiter limiter = newLimiter(perSecond)) {
      AtomicInteger granted = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        threads.add(Thread.ofPlatform().start(() -> {
          try {
            start.await();
            for (int i = 0; i < 50; i++) {
              if (limiter.tryAcquire("t1", 1).granted()) {
                granted.incrementAndGet();
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      }
      long began = System.nanoTime();
      start.countDown();
      for (Thread t : threads) {
        t.join(Duration.ofSeconds(30));
      }
      double seconds = (System.nanoTime() - began) / 1e9;

      // A real clock refills while the threads run; a clock moved by hand does not.
      assertThat(granted.get()).isBetween(perSecond, perSecond + (int) Math.ceil(seconds * perSecond) + 1);
    }
  }
}
