package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PageSampleTest {

  @Test
  void percentilesOfMillisecondsTheBrowserReturnedComeBackInMilliseconds() {
    List<Number> millis = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      millis.add(i % 2 == 0 ? (Number) (long) i : (Number) (double) i);
    }
    millis.add(-3L);

    Spread s = Spread.ofMillis(millis);

    assertThat(s.count()).isEqualTo(101);
    assertThat(s.p50Ms()).isCloseTo(50, within(0.1));
    assertThat(s.p95Ms()).isCloseTo(95, within(0.1));
    assertThat(s.p99Ms()).isCloseTo(99, within(0.1));
    assertThat(s.maxMs()).isCloseTo(100, within(0.1));
    assertThat(Spread.ofMillis(List.of(16.7)).p95Ms()).isCloseTo(16.7, within(0.02));
  }

  @Test
  void anEmptySampleHasNoPercentilesAndPrintsADash() {
    Spread s = Spread.ofMillis(List.of());

    assertThat(s).isEqualTo(Spread.NONE);
    assertThat(s.text()).isEqualTo("—");
  }

  @Test
  void thePageReceivedWhatItTimedWhatAwaitsItsPaintAndWhatWasEvictedUnseen() {
    Map<String, Object> raw = probeAnswer();
    raw.put("delays", List.of(40L, 50L, 60L));
    raw.put("pending", 2L);
    raw.put("evictedUnseen", 5L);

    PageSample page = PageSample.of(raw);

    assertThat(page.delays().count()).isEqualTo(3);
    assertThat(page.received()).isEqualTo(10);
    assertThat(page.frames().count()).isEqualTo(3);
    assertThat(page.longTasks()).isEqualTo(2);
    assertThat(page.longTaskShare()).isCloseTo(0.15, within(1e-9));
    assertThat(page.stayedLive()).isTrue();
  }

  @Test
  void aGapOrTimeOutsideLiveMeansThePageDidNotStayLive() {
    Map<String, Object> raw = probeAnswer();
    raw.put("gaps", 1L);
    raw.put("statuses", List.of(List.of(1_000L, "live"), List.of(1_400L, "gap"), List.of(1_500L, "catching-up"),
        List.of(1_900L, "live")));

    PageSample page = PageSample.of(raw);

    assertThat(page.stayedLive()).isFalse();
    assertThat(page.notLiveMs()).isEqualTo(500);
    assertThat(page.statuses()).containsExactly("live", "gap", "catching-up", "live");
  }

  @Test
  void timeNotLiveCountsOnlyWithinTheWindow() {
    List<List<Object>> changes = List.of(List.of(500L, "reconnecting"), List.of(1_200L, "live"),
        List.of(2_500L, "gap"));

    assertThat(PageSample.notLiveMs(changes, 1_000, 3_000)).isEqualTo(200 + 500);
    assertThat(PageSample.notLiveMs(List.of(List.of(0L, "live")), 1_000, 3_000)).isZero();
  }

  @Test
  void aBrowserWithoutLongTaskReportsSaysSoInsteadOfZero() {
    Map<String, Object> raw = probeAnswer();
    raw.put("longTasksObserved", false);
    raw.put("longTasks", List.of());

    PageSample page = PageSample.of(raw);

    assertThat(page.longTasks()).isEqualTo(-1);
    assertThat(page.longTaskShare()).isNaN();
  }

  /** What {@code __awProbe.finish()} answers for a quiet, live phase of one second. */
  private static Map<String, Object> probeAnswer() {
    Map<String, Object> raw = new HashMap<>();
    raw.put("frames", List.of(16.6, 16.8, 16.7));
    raw.put("longTasksObserved", true);
    raw.put("longTasks", List.of(60.0, 90L));
    raw.put("windowMs", 1000.0);
    raw.put("delays", List.of());
    raw.put("pending", 0L);
    raw.put("evictedUnseen", 0L);
    raw.put("untimed", 0L);
    raw.put("statuses", List.of(List.of(1_000L, "live")));
    raw.put("windowFrom", 1_000L);
    raw.put("windowTo", 2_000L);
    raw.put("statusAtEnd", "live");
    raw.put("gaps", 0L);
    raw.put("resets", 0L);
    raw.put("evicted", 0L);
    raw.put("duplicates", 0L);
    raw.put("visibility", "visible");
    return raw;
  }
}
