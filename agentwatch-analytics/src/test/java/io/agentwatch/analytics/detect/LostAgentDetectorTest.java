package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LostAgentDetectorTest {

  @Test
  void anAgentThatMissesThreeHeartbeatsIsLostAndComesBackWithItsNextEvent() {
    Script s = new Script("r1").heartbeat("w1").heartbeat("w2");
    for (int i = 0; i < 4; i++) {
      s.seconds(30).heartbeat("w2");
    }
    Harness h = new Harness().feed(s.events());
    Event alert = h.raised(LostAgentDetector.NAME).getFirst();
    assertThat(h.raised(LostAgentDetector.NAME)).hasSize(1);
    assertThat(agents(alert)).containsExactly("w1");
    assertThat(alert.ts()).isEqualTo(Script.T0.plusSeconds(90));
    assertThat(message(alert)).contains("w1", "no heartbeat for 1m30s", "3 × the expected 30s");

    h.feed(new Script("r1", "later").at(Script.T0.plusSeconds(200)).heartbeat("w1").events());
    assertThat(h.resolved(LostAgentDetector.NAME)).hasSize(1);
    assertThat(h.tenant().runGraph("r1").nodes()).filteredOn(n -> n.id().equals("w1"))
        .allSatisfy(n -> assertThat(n.agent().lost()).isFalse());
  }

  @Test
  void agentsLostTogetherFromDifferentRunsAreOneAlertAndEachFindingKeepsItsLastRun() {
    Script s = new Script("r1").heartbeat("w1");
    Script other = new Script("r2", "other").heartbeat("w2").heartbeat("w3");
    for (int i = 0; i < 4; i++) {
      other.seconds(30).heartbeat("w3");
    }
    Harness h = new Harness().feed(s.events()).feed(other.events());
    assertThat(h.raised(LostAgentDetector.NAME)).singleElement().satisfies(a -> assertThat(a.runId()).isNull());
    assertThat(h.tenant().allAlerts()).singleElement().satisfies(a -> {
      assertThat(a.count()).isEqualTo(2);
      assertThat(a.items()).extracting(i -> i.facts().get("lastRunId").stringValue()).containsExactly("r1", "r2");
    });
  }

  @Test
  void anAgentThatAnnouncedItWentOfflineIsNotLost() {
    Script s = new Script("r1").heartbeat("w1").heartbeat("w2").seconds(5).status("w1", "offline");
    for (int i = 0; i < 5; i++) {
      s.seconds(30).heartbeat("w2");
    }
    assertThat(new Harness().feed(s.events()).raised(LostAgentDetector.NAME)).isEmpty();
  }

  @Test
  void agentsThatNeverSendHeartbeatsAreNotWatched() {
    Script s = new Script("r1").log("quiet").after(Duration.ofHours(1)).log("other");
    assertThat(new Harness().feed(s.events()).raised(LostAgentDetector.NAME)).isEmpty();
  }

  @Test
  void aLostAgentIsMarkedLostInTheGraphWhileItsAlertIsOpen() {
    Script s = new Script("r1").heartbeat("w1").heartbeat("w2").seconds(100).heartbeat("w2");
    Harness h = new Harness().feed(s.events());
    assertThat(h.tenant().runGraph("r1").nodes()).filteredOn(n -> n.id().equals("w1"))
        .singleElement().satisfies(n -> assertThat(n.agent().lost()).isTrue());
  }

  @Test
  void missedBeatsBelowOneAreRefused() {
    assertThatThrownBy(() -> new LostAgentDetector.Config(Duration.ofSeconds(30), 0))
        .hasMessage("lost_agent.missedBeats must be at least 1 but was 0");
  }
}
