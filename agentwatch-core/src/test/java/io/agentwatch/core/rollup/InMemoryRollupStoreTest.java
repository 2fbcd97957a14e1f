package io.agentwatch.core.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InMemoryRollupStoreTest {

  @Nested
  class AsRollupStore extends RollupStoreContract {
    @Override
    protected RollupStore newStore() {
      return new InMemoryRollupStore();
    }
  }

  @Nested
  class Bounded extends RollupStoreContract {

    @Override
    protected RollupStore newStore() {
      return new InMemoryRollupStore(Duration.ofHours(1), Duration.ofHours(2));
    }

    private List<RollupPoint> all(String run, Bucket bucket) {
      return store.query("t1", new RollupQuery(run, null, bucket, T.minus(Duration.ofDays(400)),
          T.plus(Duration.ofDays(400))));
    }

    @Test
    void aRunsBucketsOlderThanTheRetentionBeforeItsNewestBucketAreDropped() {
      store.add("t1", List.of(event("log", "w1", "r1", T, "level", "info", "message", "old"),
          event("task.started", "w1", "r1", T, "taskId", "k"),
          event("task.completed", "w1", "r1", T.plusSeconds(1), "taskId", "k")));
      Instant later = T.plus(Duration.ofMinutes(90));
      store.add("t1", List.of(event("log", "w1", "r1", later, "level", "info", "message", "new")));

      assertThat(all("r1", Bucket.MINUTE)).extracting(RollupPoint::start).containsExactly(later);
      assertThat(all("r1", Bucket.HOUR)).extracting(RollupPoint::events).containsExactly(3L, 1L);
      assertThat(all("r1", Bucket.HOUR).getFirst().taskP50Ms()).isEqualTo(1000.0);

      store.add("t1", List.of(event("log", "w1", "r1", T.plus(Duration.ofHours(3)), "level", "info", "message", "x")));
      assertThat(all("r1", Bucket.HOUR)).extracting(RollupPoint::start).doesNotContain(T);
    }

    @Test
    void anOldRunStaysWholeAndAFutureStampDropsOnlyItsOwnRunsBuckets() {
      store.add("t1", List.of(event("log", "w1", "old-run", T.minus(Duration.ofDays(30)), "level", "info",
          "message", "uploaded")));
      store.add("t1", List.of(event("log", "w1", "r1", T, "level", "info", "message", "now"),
          event("log", "w2", "r2", T, "level", "info", "message", "now")));
      store.add("t1", List.of(event("log", "w1", "r1", T.plus(Duration.ofDays(365)), "level", "info",
          "message", "from a wrong clock")));

      assertThat(all("old-run", Bucket.MINUTE)).hasSize(1);
      assertThat(all("r2", Bucket.MINUTE)).hasSize(1);
      assertThat(all("r1", Bucket.MINUTE)).extracting(RollupPoint::start)
          .containsExactly(T.plus(Duration.ofDays(365)));
    }
  }

  @Test
  void aRetentionShorterThanItsBucketIsRefusedWithTheValue() {
    assertThatThrownBy(() -> new InMemoryRollupStore(Duration.ofSeconds(30), Duration.ofHours(1)))
        .hasMessageContaining("keepMinutes must be at least 1m but was PT30S");
  }
}
