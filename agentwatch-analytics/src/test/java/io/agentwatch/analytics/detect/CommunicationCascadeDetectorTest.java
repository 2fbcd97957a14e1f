package io.agentwatch.analytics.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommunicationCascadeDetectorTest {

  private static Script burst(Script s, int messages, int recipients, double gapSeconds) {
    for (int i = 0; i < messages; i++) {
      s.seconds(gapSeconds).message(i % 3 == 0 ? "hub" : "relay-" + (i % 2), "w" + (i % recipients));
    }
    return s;
  }

  @Test
  void fiftyMessagesToManyAgentsWithinTenSecondsIsACascade() {
    Harness h = new Harness().feed(burst(new Script("r1"), 55, 20, 0.1).events());
    Event alert = h.raised(CommunicationCascadeDetector.NAME).getFirst();
    assertThat(h.raised(CommunicationCascadeDetector.NAME)).hasSize(1);
    assertThat(Harness.message(alert)).contains("In run r1, 50 messages went to 20 different agents within 10s");
    assertThat(Harness.agents(alert)).containsExactlyInAnyOrder("hub", "relay-0", "relay-1");
    assertThat(Harness.evidence(alert)).hasSize(20);
  }

  @Test
  void theSameNumberOfMessagesSpreadOverMinutesIsNoCascade() {
    assertThat(new Harness().feed(burst(new Script("r1"), 100, 20, 1).events())
        .raised(CommunicationCascadeDetector.NAME)).isEmpty();
  }

  @Test
  void manyMessagesToFewAgentsIsNoFanOut() {
    assertThat(new Harness().feed(burst(new Script("r1"), 80, 3, 0.05).events())
        .raised(CommunicationCascadeDetector.NAME)).isEmpty();
  }

  @Test
  void theCascadeIsResolvedOnceTheBurstSubsides() {
    Script s = burst(new Script("r1"), 60, 20, 0.1).after(Duration.ofSeconds(30)).log("hub");
    Harness h = new Harness().feed(s.events());
    assertThat(h.resolved(CommunicationCascadeDetector.NAME)).singleElement()
        .satisfies(r -> assertThat(r.data().get("reason").stringValue()).startsWith("the burst subsided"));
  }
}
