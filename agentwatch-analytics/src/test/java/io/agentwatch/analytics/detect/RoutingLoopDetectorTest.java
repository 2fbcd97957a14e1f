package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RoutingLoopDetectorTest {

  private static Script loop(int rounds) {
    Script s = new Script("r1");
    for (int i = 0; i < rounds; i++) {
      s.seconds(2).message("a", "b").seconds(2).assign("b", "t" + i, "c").seconds(2).message("c", "a");
    }
    return s;
  }

  @Test
  void workPassedRoundACycleThreeTimesWithoutProgressIsARoutingLoop() {
    Script s = loop(3);
    Harness h = new Harness().feed(s.events());
    Event alert = h.raised(RoutingLoopDetector.NAME).getFirst();
    assertThat(h.raised(RoutingLoopDetector.NAME)).hasSize(1);
    assertThat(agents(alert)).containsExactly("a", "b", "c");
    assertThat(evidence(alert)).hasSize(9).endsWith(s.last());
    assertThat(Harness.message(alert)).contains("a → b → c → a");
    assertThat(alert.data().get("severity").stringValue()).isEqualTo("critical");
  }

  @Test
  void twoRoundsAreNotYetALoop() {
    assertThat(new Harness().feed(loop(2).events()).raised(RoutingLoopDetector.NAME)).isEmpty();
  }

  @Test
  void aCycleWhoseAgentsMakeTaskProgressIsNormalTeamwork() {
    Script s = new Script("r1");
    for (int i = 0; i < 5; i++) {
      s.seconds(2).assign("boss", "t" + i, "w1").start("w1", "t" + i).seconds(5).complete("w1", "t" + i, "ok")
          .message("w1", "boss");
    }
    assertThat(new Harness().feed(s.events()).raised(RoutingLoopDetector.NAME)).isEmpty();
  }

  @Test
  void handOffsSpreadWiderThanTheWindowAreNoLoop() {
    Script s = new Script("r1");
    for (int i = 0; i < 4; i++) {
      s.after(Duration.ofMinutes(3)).message("a", "b").message("b", "a");
    }
    assertThat(new Harness().feed(s.events()).raised(RoutingLoopDetector.NAME)).isEmpty();
  }

  @Test
  void aLoopIsResolvedByProgressOfOneOfItsAgentsOrWhenItCoolsDown() {
    Harness progressed = new Harness().feed(loop(3).progress("b", "t0", 10).events());
    assertThat(progressed.resolved(RoutingLoopDetector.NAME)).singleElement()
        .satisfies(r -> assertThat(r.data().get("reason").stringValue()).isEqualTo("b made task progress (task.progress)"));

    Harness cooled = new Harness().feed(loop(3).after(Duration.ofMinutes(3)).log("x").events());
    assertThat(cooled.resolved(RoutingLoopDetector.NAME)).singleElement()
        .satisfies(r -> assertThat(r.data().get("reason").stringValue()).startsWith("the loop stopped"));
  }

  @Test
  void loopsInDifferentRunsAreSeparateAlerts() {
    Script other = new Script("r2", "other");
    for (int i = 0; i < 3; i++) {
      other.seconds(2).message("a", "b").seconds(2).message("b", "a");
    }
    Harness h = new Harness().feed(loop(3).events()).feed(other.events());
    assertThat(h.raised(RoutingLoopDetector.NAME)).extracting(Event::runId).containsExactly("r1", "r2");
  }
}
