package io.agentwatch.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.analytics.alert.AlertView;
import io.agentwatch.model.Event;
import tools.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnomalyDetectorTest {

  /** Two minutes of a steady worker: per 10 s bucket three model calls of about 1,000 tokens, no errors. */
  private static Script steady(Script s, int buckets) {
    for (int b = 0; b < buckets; b++) {
      for (int i = 0; i < 3; i++) {
        s.seconds(3).llm("w1", 1000 + (b % 3) * 50, 0.002, 800 + (b % 2) * 100);
      }
      s.seconds(1);
    }
    return s;
  }

  @Test
  void aBurstOfErrorsAfterTheWarmUpIsAnAnomalyOfTheErrorRate() {
    Script s = steady(new Script("r1"), 14);
    for (int i = 0; i < 6; i++) {
      s.seconds(1).error("w1");
    }
    s.after(Duration.ofSeconds(20)).log("other");
    Harness h = new Harness().feed(s.events());
    assertThat(h.findings(AnomalyDetector.NAME)).extracting(a -> a.get("key").stringValue())
        .contains("w1|error_rate");
    JsonNode finding = h.findings(AnomalyDetector.NAME).stream()
        .filter(a -> a.get("key").stringValue().equals("w1|error_rate")).findFirst().orElseThrow();
    assertThat(Harness.message(finding)).startsWith("w1's error rate was 1 in the 10s from");
    assertThat(finding.get("runId").stringValue()).isEqualTo("r1");
  }

  @Test
  void aRunawayTokenUseIsAnAnomalyAndTheNextNormalBucketResolvesIt() {
    Script s = steady(new Script("r1"), 14);
    for (int i = 0; i < 3; i++) {
      s.seconds(3).llm("w1", 20_000, 0.002, 800);
    }
    s.seconds(1);
    steady(s, 2);
    Harness h = new Harness().feed(s.events());
    assertThat(h.findings(AnomalyDetector.NAME)).extracting(a -> a.get("key").stringValue())
        .contains("w1|tokens");
    assertThat(h.tenant().allAlerts()).flatExtracting(AlertView::items)
        .filteredOn(i -> i.key().equals("w1|tokens")).singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo("resolved"));
  }

  @Test
  void nothingIsComparedDuringTheWarmUp() {
    Script s = steady(new Script("r1"), 5);
    for (int i = 0; i < 6; i++) {
      s.seconds(1).error("w1");
    }
    s.after(Duration.ofSeconds(20)).log("other");
    assertThat(new Harness().feed(s.events()).raised(AnomalyDetector.NAME)).isEmpty();
  }

  @Test
  void aSteadyAgentRaisesNothing() {
    Script s = steady(new Script("r1"), 60).after(Duration.ofSeconds(20)).log("other");
    assertThat(new Harness().feed(s.events()).raised(AnomalyDetector.NAME)).isEmpty();
  }

  @Test
  void aConfigWithoutAFloorForEveryMetricIsRefused() {
    assertThatThrownBy(() -> new AnomalyDetector.Config(Duration.ofSeconds(10), 0.1, 4, 12, 0.25,
        Map.of(AnomalyDetector.Metric.EVENTS, 1.0)))
        .hasMessage("anomaly floor of error_rate must be positive but was null");
  }

  @Test
  void theExponentiallyWeightedVarianceFollowsItsDefinition() {
    AnomalyDetector.Ewma e = new AnomalyDetector.Ewma();
    e.add(10, 0.5);
    e.add(20, 0.5);
    assertThat(e.mean).isEqualTo(15.0);
    assertThat(e.variance).isEqualTo(25.0);
  }
}
