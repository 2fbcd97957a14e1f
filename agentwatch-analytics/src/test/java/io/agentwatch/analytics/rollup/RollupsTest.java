package io.agentwatch.analytics.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.analytics.TenantAnalytics;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RollupsTest {

  private static TenantAnalytics fed(Script s) {
    return new Harness().feed(s.events()).tenant();
  }

  @Test
  void aMinuteBucketCountsEventsErrorsTokensCostAndTaskDurationPercentiles() {
    Script s = new Script("r1");
    long[] durations = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    for (int i = 0; i < durations.length; i++) {
      s.at(Script.T0.plusMillis(100 * i)).start("w1", "t" + i);
    }
    for (int i = 0; i < durations.length; i++) {
      s.at(Script.T0.plusMillis(100 * i).plusSeconds(durations[i])).complete("w1", "t" + i, "ok");
    }
    s.at(Script.T0.plusSeconds(30)).llm("w1", 1000, 0.5, 10).error("w1").llm("w2", 500, 0.25, 10);
    List<RollupPoint> agent = fed(s).rollups(new Rollups.Series(null, "w1", Rollups.Size.MINUTE), null, null);
    assertThat(agent).singleElement().satisfies(p -> {
      assertThat(p.start()).isEqualTo(Script.T0);
      assertThat(p.end()).isEqualTo(Script.T0.plusSeconds(60));
      assertThat(p.events()).isEqualTo(22);
      assertThat(p.eventsPerSecond()).isEqualTo(22 / 60.0);
      assertThat(p.errors()).isEqualTo(1);
      assertThat(p.tasks()).isEqualTo(10);
      assertThat(p.taskP50Ms()).isEqualTo(5000);
      assertThat(p.taskP95Ms()).isEqualTo(10000);
      assertThat(p.tokens()).isEqualTo(1000);
      assertThat(p.costUsd()).isEqualTo(0.5);
    });
    List<RollupPoint> run = fed(s).rollups(new Rollups.Series("r1", null, Rollups.Size.HOUR), null, null);
    assertThat(run).singleElement().satisfies(p -> {
      assertThat(p.events()).isEqualTo(23);
      assertThat(p.tokens()).isEqualTo(1500);
      assertThat(p.costUsd()).isEqualTo(0.75);
    });
  }

  @Test
  void bucketsFollowEventTimeAndTheRangeSelectsByBucketStart() {
    Script s = new Script("r1").log("w1").after(Duration.ofMinutes(1)).log("w1").after(Duration.ofMinutes(1)).log("w1");
    TenantAnalytics t = fed(s);
    Rollups.Series minutes = new Rollups.Series("r1", "w1", Rollups.Size.MINUTE);
    assertThat(t.rollups(minutes, null, null)).hasSize(3);
    assertThat(t.rollups(minutes, Script.T0.plusSeconds(90), null)).extracting(RollupPoint::start)
        .containsExactly(Script.T0.plusSeconds(60), Script.T0.plusSeconds(120));
    assertThat(t.rollups(minutes, null, Script.T0.plusSeconds(60))).extracting(RollupPoint::start)
        .containsExactly(Script.T0);
  }

  @Test
  void aTaskDurationBelongsToTheAgentThatRanItWhoeverReportedTheEnd() {
    Script s = new Script("r1").assign("boss", "t1", "w1").start("w1", "t1").seconds(3).fail("boss", "t1");
    TenantAnalytics t = fed(s);
    assertThat(t.rollups(new Rollups.Series(null, "w1", Rollups.Size.MINUTE), null, null).getFirst().taskP50Ms())
        .isEqualTo(3000);
    assertThat(t.rollups(new Rollups.Series(null, "boss", Rollups.Size.MINUTE), null, null).getFirst().tasks())
        .isZero();
  }

  @Test
  void oldBucketsAreDroppedPastTheRetention() {
    Script s = new Script("r1").log("w1").after(Duration.ofHours(7)).log("w1");
    assertThat(fed(s).rollups(new Rollups.Series(null, "w1", Rollups.Size.MINUTE), null, null)).hasSize(1);
    assertThat(fed(s).rollups(new Rollups.Series(null, "w1", Rollups.Size.HOUR), null, null)).hasSize(2);
  }

  @Test
  void percentilesUseTheNearestRank() {
    assertThat(Rollups.percentile(new long[] {7}, 95)).isEqualTo(7);
    assertThat(Rollups.percentile(new long[] {1, 2, 3, 4}, 50)).isEqualTo(2);
    assertThat(Rollups.percentile(new long[0], 50)).isNull();
  }
}
