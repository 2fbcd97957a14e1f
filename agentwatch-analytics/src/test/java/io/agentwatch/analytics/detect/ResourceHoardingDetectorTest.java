package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import org.junit.jupiter.api.Test;

class ResourceHoardingDetectorTest {

  /** w2 and w3 each held a task and finished it; then w1 gets six. */
  private static Script hoarding() {
    Script s = new Script("r1");
    s.assign("boss", "a", "w2").start("w2", "a").seconds(1).complete("w2", "a", "ok");
    s.assign("boss", "b", "w3").start("w3", "b").seconds(1).complete("w3", "b", "ok");
    for (int i = 0; i < 6; i++) {
      s.assign("boss", "h" + i, "w1");
    }
    return s;
  }

  @Test
  void oneAgentHoldingSixOpenTasksForThirtySecondsWhilePeersIdleIsHoarding() {
    Script s = hoarding().seconds(31).log("boss");
    Harness h = new Harness().feed(s.events());
    Event alert = h.raised(ResourceHoardingDetector.NAME).getFirst();
    assertThat(agents(alert)).containsExactly("w1", "w2", "w3");
    assertThat(evidence(alert)).hasSize(6);
    assertThat(Harness.message(alert)).contains("w1 has held 6 open tasks", "2 other agents", "w2, w3");
  }

  @Test
  void holdingManyTasksBrieflyIsNotHoarding() {
    Script s = hoarding().seconds(10);
    for (int i = 0; i < 3; i++) {
      s.complete("w1", "h" + i, "ok");
    }
    s.seconds(60).log("boss");
    assertThat(new Harness().feed(s.events()).raised(ResourceHoardingDetector.NAME)).isEmpty();
  }

  @Test
  void holdingManyTasksWhileEveryoneIsBusyIsNotHoarding() {
    Script s = hoarding().assign("boss", "x", "w2").assign("boss", "y", "w3").seconds(60).log("boss");
    assertThat(new Harness().feed(s.events()).raised(ResourceHoardingDetector.NAME)).isEmpty();
  }

  @Test
  void quarantinedPeersDoNotCountAsIdle() {
    Script s = hoarding().status("w2", "quarantined").command("w3", "quarantine").seconds(60).log("boss");
    assertThat(new Harness().feed(s.events()).raised(ResourceHoardingDetector.NAME)).isEmpty();
  }

  @Test
  void anAgentThatSignedOffAtTheEndOfOneRunIsAPeerAgainWhenItWorksInTheNext() {
    Script first = new Script("run-1", "first");
    first.assign("boss", "a", "w2").start("w2", "a").seconds(1).complete("w2", "a", "ok")
        .status("w2", "offline").end("run.completed", "boss");
    Script next = new Script("run-2", "next").at(Script.T0.plusSeconds(60));
    next.register("w2", "worker").heartbeat("w2")
        .assign("boss", "b", "w2").start("w2", "b").seconds(1).complete("w2", "b", "ok");
    for (int i = 0; i < 6; i++) {
      next.assign("boss", "h" + i, "w1");
    }
    next.seconds(31).log("boss");
    Harness h = new Harness().feed(first.events()).feed(next.events());
    assertThat(h.raised(ResourceHoardingDetector.NAME)).as("w2 is back and idle in run-2").singleElement()
        .satisfies(a -> assertThat(agents(a)).containsExactly("w1", "w2"));
  }

  @Test
  void hoardingEndsWithTheRun() {
    Script s = hoarding().seconds(31).log("boss").end("run.cancelled", "boss");
    Harness h = new Harness().feed(s.events());
    assertThat(h.resolved(ResourceHoardingDetector.NAME)).singleElement().satisfies(r -> assertThat(
        r.data().get("reason").stringValue()).isEqualTo("run r1 was cancelled: its open tasks are abandoned"));
  }

  @Test
  void hoardingIsResolvedWhenTheHolderGivesWorkBack() {
    Script s = hoarding().seconds(31).log("boss");
    for (int i = 0; i < 3; i++) {
      s.complete("w1", "h" + i, "ok");
    }
    Harness h = new Harness().feed(s.events());
    assertThat(h.resolved(ResourceHoardingDetector.NAME)).singleElement()
        .satisfies(r -> assertThat(r.data().get("reason").stringValue()).isEqualTo("w1 now holds 4 open tasks"));
  }
}
