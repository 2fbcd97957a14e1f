package io.agentwatch.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));

  /** A "random" source that always answers the largest value allowed. */
  private static final RandomGenerator HIGHEST = new RandomGenerator() {
    @Override
    public long nextLong() {
      return Long.MAX_VALUE;
    }

    @Override
    public long nextLong(long bound) {
      return bound - 1;
    }
  };

  private static final RandomGenerator LOWEST = new RandomGenerator() {
    @Override
    public long nextLong() {
      return 0;
    }

    @Override
    public long nextLong(long bound) {
      return 0;
    }
  };

  @Test
  void theCeilingDoublesFromTheInitialWaitUpToTheMaximum() {
    assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofMillis(6_400));
    assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.ceiling(1_000)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void fullJitterSpansZeroToTheCeiling() {
    assertThat(backoff.delay(3, HIGHEST)).isEqualTo(Duration.ofMillis(800));
    assertThat(backoff.delay(3, LOWEST)).isEqualTo(Duration.ZERO);
    RandomGenerator random = new java.util.SplittableRandom(42);
    for (int i = 0; i < 1_000; i++) {
      assertThat(backoff.delay(i % 20, random)).isBetween(Duration.ZERO, Duration.ofSeconds(10));
    }
  }

  @Test
  void aRetryAfterIsAFloorWithASmallJitterOnTop() {
    assertThat(backoff.delay(0, Duration.ofSeconds(3), LOWEST)).isEqualTo(Duration.ofSeconds(3));
    assertThat(backoff.delay(9, Duration.ofSeconds(3), HIGHEST)).isEqualTo(Duration.ofMillis(3_100));
  }

  @Test
  void badSettingsAreRefusedWithTheBadValue() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1))).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).hasMessageContaining("PT1S");
  }

  @Test
  void retryAfterReadsSecondsAndHttpDatesAndCapsAbsurdWaits() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T16:00:00Z"), ZoneOffset.UTC);
    assertThat(RetryAfter.parse("7", clock)).isEqualTo(Duration.ofSeconds(7));
    assertThat(RetryAfter.parse("Sat, 28 Nov 2026 16:00:30 GMT", clock)).isEqualTo(Duration.ofSeconds(30));
    assertThat(RetryAfter.parse("Sat, 28 Nov 2026 15:00:00 GMT", clock)).isEqualTo(Duration.ZERO);
    assertThat(RetryAfter.parse("99999999999999999999", clock)).isEqualTo(RetryAfter.LONGEST);
    assertThat(RetryAfter.parse("86400", clock)).isEqualTo(RetryAfter.LONGEST);
    assertThat(RetryAfter.parse("soon", clock)).isNull();
    assertThat(RetryAfter.parse(null, clock)).isNull();
  }
}
