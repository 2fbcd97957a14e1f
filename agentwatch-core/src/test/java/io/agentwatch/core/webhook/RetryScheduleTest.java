package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {

  private static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  @Test
  void eachFailureWaitsTheNextDelayAndTheLastDelayRepeats() {
    RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(10)), 0, 5);
    Random random = new Random(1);

    assertThat(schedule.next(1, NOW, random)).isEqualTo(NOW.plusSeconds(1));
    assertThat(schedule.next(2, NOW, random)).isEqualTo(NOW.plusSeconds(10));
    assertThat(schedule.next(4, NOW, random)).isEqualTo(NOW.plusSeconds(10));
    assertThat(schedule.next(5, NOW, random)).as("the fifth attempt was the last").isNull();
  }

  /** Seeded: {@code -Dagentwatch.seed=<seed>} replays the same draws. */
  @Test
  void jitterSpreadsRetriesWithinItsBoundsAroundThePlannedDelay() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    RetrySchedule schedule = RetrySchedule.DEFAULT;
    long lowest = Long.MAX_VALUE;
    long highest = 0;
    for (int i = 0; i < 2000; i++) {
      long waited = Duration.between(NOW, schedule.next(3, NOW, random)).toMillis();
      lowest = Math.min(lowest, waited);
      highest = Math.max(highest, waited);
    }
    assertThat(lowest).as("seed=%d", seed).isBetween(96_000L, 100_000L);
    assertThat(highest).as("seed=%d", seed).isBetween(140_000L, 144_000L);
  }

  @Test
  void theDefaultScheduleTriesSevenTimesOverAboutSevenHours() {
    RetrySchedule d = RetrySchedule.DEFAULT;

    assertThat(d.maxAttempts()).isEqualTo(7);
    assertThat(d.delays().stream().reduce(Duration.ZERO, Duration::plus)).isEqualTo(Duration.ofSeconds(25_955));
  }

  @Test
  void badSchedulesAreRefusedWithTheBadValue() {
    assertThatThrownBy(() -> new RetrySchedule(List.of(), 0, 3)).hasMessageContaining("at least one");
    assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ZERO), 0, 3)).hasMessageContaining("PT0S");
    assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofSeconds(1)), 1.0, 3)).hasMessageContaining("1.0");
    assertThatThrownBy(() -> new RetrySchedule(List.of(Duration.ofSeconds(1)), 0, 0)).hasMessageContaining("was 0");
  }
}
