package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import io.agentwatch.analytics.graph.GraphAnalysis;
import java.time.Duration;
import java.util.List;
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

  /** One task delegated round a ring three times, while every agent of the ring works on other tasks. */
  private static Script loopOnOneTaskWhileTheRingWorksOnOthers() {
    Script s = new Script("r1");
    for (String agent : List.of("a", "b", "c")) {
      s.assign("boss", "side-" + agent, agent).start(agent, "side-" + agent);
    }
    for (int i = 0; i < 3; i++) {
      s.seconds(2).assign("a", "hot", "b").progress("b", "side-b", 10 + i)
          .seconds(2).assign("b", "hot", "c").progress("c", "side-c", 10 + i)
          .seconds(2).assign("c", "hot", "a").progress("a", "side-a", 10 + i);
    }
    return s;
  }

  @Test
  void progressOnOtherTasksDoesNotHideALoopOnOneTask() {
    Harness h = new Harness().feed(loopOnOneTaskWhileTheRingWorksOnOthers().events());
    assertThat(h.raised(RoutingLoopDetector.NAME)).singleElement().satisfies(a -> {
      assertThat(agents(a)).containsExactly("a", "b", "c");
      assertThat(Harness.message(a)).contains("nobody reported progress on hot");
    });
  }

  @Test
  void progressOnTheLoopingTaskEndsTheLoop() {
    Script s = loopOnOneTaskWhileTheRingWorksOnOthers().progress("b", "side-b", 90).progress("c", "hot", 5);
    Harness h = new Harness().feed(s.events());
    assertThat(h.resolved(RoutingLoopDetector.NAME)).singleElement().satisfies(r -> assertThat(
        r.data().get("reason").stringValue()).isEqualTo("c made progress on hot (task.progress)"));
  }

  @Test
  void delegatingDifferentTasksAndHearingBackIsTeamworkNotALoop() {
    Script s = new Script("r1");
    for (int i = 0; i < 6; i++) {
      s.seconds(5).assign("boss", "t" + i, "w1").message("w1", "boss").progress("w1", "t0", i * 10);
    }
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(RoutingLoopDetector.NAME)).isEmpty();
    assertThat(h.tenant().openLoops("r1")).isEmpty();
  }

  @Test
  void aCycleInTheGraphIsOnlyALoopWhenTheDetectorRaisedOne() {
    Script teamwork = new Script("r1");
    for (int i = 0; i < 5; i++) {
      teamwork.seconds(2).assign("boss", "t" + i, "w1").start("w1", "t" + i).seconds(5).complete("w1", "t" + i, "ok")
          .message("w1", "boss");
    }
    Harness h = new Harness().feed(teamwork.events()).feed(loop(3).events());
    assertThat(GraphAnalysis.analyze(h.tenant().runGraph("r1"), GraphAnalysis.Limits.DEFAULTS).cycles())
        .as("the graph has cycles").contains(List.of("boss", "w1"), List.of("a", "b", "c"));
    assertThat(h.tenant().openLoops("r1")).singleElement().satisfies(l -> {
      assertThat(l.cycle()).containsExactly("a", "b", "c");
      assertThat(l.alertId()).isEqualTo(h.raised(RoutingLoopDetector.NAME).getFirst().id());
    });
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
