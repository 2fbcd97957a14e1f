package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.evidence;
import static io.agentwatch.analytics.Harness.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StuckTaskDetectorTest {

  @Test
  void aStartedTaskWithoutProgressPastTheTimeoutIsRaisedWhenLaterEventTimePassesTheDeadline() {
    Script s = new Script("r1").assign("boss", "t1", "w1").seconds(1).start("w1", "t1");
    String started = s.last();
    s.after(Duration.ofMinutes(4)).log("w2");
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(StuckTaskDetector.NAME)).isEmpty();

    s.after(Duration.ofMinutes(2)).log("w2");
    h = new Harness().feed(s.events());
    Event alert = h.raised(StuckTaskDetector.NAME).getFirst();
    assertThat(agents(alert)).containsExactly("w1");
    assertThat(evidence(alert)).containsExactly(started);
    assertThat(alert.ts()).isEqualTo(Script.T0.plusSeconds(1).plus(Duration.ofMinutes(5)));
    assertThat(alert.runId()).isEqualTo("r1");
    assertThat(message(alert)).contains("t1", "w1", "no progress for 5m");
  }

  @Test
  void progressResetsTheTimeoutAndAStuckTaskIsResolvedByItsNextProgress() {
    Script s = new Script("r1").assign("boss", "t1", "w1").start("w1", "t1")
        .after(Duration.ofMinutes(4)).progress("w1", "t1", 50)
        .after(Duration.ofMinutes(4)).log("w2");
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(StuckTaskDetector.NAME)).as("progress at 4m moved the deadline to 9m").isEmpty();

    s.after(Duration.ofMinutes(2)).log("w2").progress("w1", "t1", 60);
    h = new Harness().feed(s.events());
    assertThat(h.raised(StuckTaskDetector.NAME)).hasSize(1);
    Event resolved = h.resolved(StuckTaskDetector.NAME).getFirst();
    assertThat(resolved.data().get("alertId").stringValue()).isEqualTo(h.raised(StuckTaskDetector.NAME).getFirst().id());
    assertThat(resolved.data().get("reason").stringValue()).contains("task.progress");
  }

  @Test
  void aCompletedOrMerelyCreatedTaskIsNeverStuck() {
    Script s = new Script("r1").created("boss", "idle-task")
        .assign("boss", "t1", "w1").start("w1", "t1").seconds(30).complete("w1", "t1", "ok")
        .after(Duration.ofHours(1)).log("w1");
    assertThat(new Harness().feed(s.events()).raised(StuckTaskDetector.NAME)).isEmpty();
  }

  @Test
  void aTickFiresTheTimeoutWhileNoEventsArriveAndMakesTheSameAlertAsEventTimeWould() {
    Script s = new Script("r1").assign("boss", "t1", "w1");
    Harness ticked = new Harness().feed(s.events()).tick(Script.T0.plus(Duration.ofMinutes(6)));
    Harness replayed = new Harness().feed(s.after(Duration.ofMinutes(6)).log("w2").events());
    assertThat(ticked.raised(StuckTaskDetector.NAME)).hasSize(1);
    assertThat(ticked.raised(StuckTaskDetector.NAME)).isEqualTo(replayed.raised(StuckTaskDetector.NAME));
  }

  @ParameterizedTest
  @ValueSource(strings = {"run.completed", "run.failed", "run.cancelled"})
  void tasksStillOpenWhenTheirRunEndsAreAbandonedNotStuck(String end) {
    Script s = new Script("r1").assign("boss", "queued", "w1").assign("boss", "running", "w2").start("w2", "running")
        .seconds(10).end(end, "boss");
    s.after(Duration.ofMinutes(30)).log("w3");
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(StuckTaskDetector.NAME)).as("nobody waits for the tasks of a run that is over").isEmpty();
  }

  @Test
  void aStuckTaskIsResolvedWhenItsRunEndsAndLateEventsOfTheRunDoNotWatchItAgain() {
    Script s = new Script("r1").assign("boss", "t1", "w1").after(Duration.ofMinutes(6)).log("w2")
        .end("run.completed", "boss");
    String ended = s.last();
    s.seconds(1).start("w1", "t1").after(Duration.ofMinutes(30)).log("w2");
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(StuckTaskDetector.NAME)).hasSize(1);
    assertThat(h.resolved(StuckTaskDetector.NAME)).singleElement().satisfies(r -> {
      assertThat(r.data().get("reason").stringValue()).isEqualTo(
          "run r1 completed while task t1 was still assigned: the task is abandoned");
      assertThat(evidence(r)).containsExactly(ended);
    });
  }

  @Test
  void aRunEndingDoesNotTouchTheTasksOfOtherRuns() {
    Script r1 = new Script("r1").assign("boss", "t1", "w1");
    Script r2 = new Script("r2", "other").assign("boss", "t1", "w2").seconds(1).end("run.completed", "boss");
    Harness h = new Harness().feed(r1.events()).feed(r2.events())
        .feed(new Script("r3", "later").after(Duration.ofMinutes(6)).log("w3").events());
    assertThat(h.raised(StuckTaskDetector.NAME)).singleElement()
        .satisfies(a -> assertThat(a.runId()).isEqualTo("r1"));
  }

  @Test
  void aTaskPassedAroundInALoopIsTheLoopsFindingAndIsStuckOnlyIfItStaysStillAfterTheLoop() {
    Script s = new Script("r1");
    for (int round = 0; round < 3; round++) {
      s.seconds(2).assign("a", "hot", "b").seconds(2).assign("b", "hot", "c").seconds(2).assign("c", "hot", "a");
    }
    s.after(Duration.ofMinutes(6)).log("w9");
    Harness h = new Harness().feed(s.events());
    assertThat(h.findings(RoutingLoopDetector.NAME)).hasSize(1);
    assertThat(h.tenant().allAlerts()).flatExtracting(a -> a.items()).filteredOn(i -> i.detector().equals(
        StuckTaskDetector.NAME)).as("the loop cooled after 2m; the task then stayed still past its timeout")
        .singleElement().satisfies(i -> assertThat(i.message()).contains("Task hot", "no progress for"));

    Harness during = new Harness().feed(new Script("r1", "x").events());
    Script busy = new Script("r2", "busy");
    for (int round = 0; round < 60; round++) {
      busy.seconds(2).assign("a", "hot", "b").seconds(2).assign("b", "hot", "c").seconds(2).assign("c", "hot", "a");
    }
    during.feed(busy.events());
    assertThat(during.tenant().allAlerts()).flatExtracting(a -> a.items())
        .extracting(i -> i.detector()).as("six minutes of loop: one cause, the loop").containsOnly(RoutingLoopDetector.NAME);
  }

  @Test
  void aTimeoutThatIsNotPositiveIsRefusedWithTheBadValue() {
    assertThatThrownBy(() -> new StuckTaskDetector.Config(Duration.ZERO))
        .hasMessageContaining("stuck_task.timeout").hasMessageContaining("PT0S");
  }
}
