package io.agentwatch.analytics.detect;

import static io.agentwatch.analytics.Harness.agents;
import static io.agentwatch.analytics.Harness.evidence;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class InconsistentAgentDetectorTest {

  @Test
  void completingATaskAssignedToAnotherAgentIsInconsistent() {
    Script s = new Script("r1").assign("boss", "t1", "w1");
    String assigned = s.last();
    s.seconds(5).complete("w2", "t1", "done");
    Harness h = new Harness().feed(s.events());
    Event alert = h.raised(InconsistentAgentDetector.NAME).getFirst();
    assertThat(agents(alert)).containsExactly("w2", "w1");
    assertThat(evidence(alert)).containsExactly(assigned, s.last());
    assertThat(Harness.message(alert)).isEqualTo("w2 completed task t1 of run r1, which was assigned to w1, not to it.");
  }

  @Test
  void completingATaskTwiceWithDifferentResultsIsInconsistentButARepeatedIdenticalCompletionIsARetry() {
    Script retry = new Script("r1").assign("boss", "t1", "w1").complete("w1", "t1", "42").complete("w1", "t1", "42");
    assertThat(new Harness().feed(retry.events()).raised(InconsistentAgentDetector.NAME)).isEmpty();

    Script contradicting = new Script("r1").assign("boss", "t1", "w1").complete("w1", "t1", "42").seconds(1)
        .complete("w1", "t1", "43");
    Event alert = new Harness().feed(contradicting.events()).raised(InconsistentAgentDetector.NAME).getFirst();
    assertThat(alert.data().get("severity").stringValue()).isEqualTo("critical");
    assertThat(Harness.message(alert)).contains("completed twice with different results");
  }

  @Test
  void anAgentWhoseStatusFlapsIsInconsistentUntilItHoldsStill() {
    Script s = new Script("r1").status("w1", "idle");
    String[] statuses = {"busy", "idle", "busy", "error", "busy", "idle", "busy", "error", "busy", "idle"};
    for (String status : statuses) {
      s.seconds(5).status("w1", status);
    }
    s.after(Duration.ofSeconds(90)).log("w1");
    Harness h = new Harness().feed(s.events());
    assertThat(h.raised(InconsistentAgentDetector.NAME)).singleElement()
        .satisfies(a -> assertThat(Harness.message(a)).contains("w1 changed its status 10 times within 1m"));
    assertThat(h.resolved(InconsistentAgentDetector.NAME)).singleElement()
        .satisfies(r -> assertThat(r.data().get("reason").stringValue()).isEqualTo("w1 has kept its status (idle) for 1m"));
  }

  @Test
  void aFastAgentThatChangesStatusWithEveryTaskAndSignsOffEachRunIsWorkingNotFlapping() {
    Script s = new Script("r1").register("w1", "worker").status("w1", "idle");
    for (int i = 0; i < 15; i++) {
      s.seconds(1).assign("boss", "t" + i, "w1").start("w1", "t" + i).status("w1", "busy")
          .seconds(1).complete("w1", "t" + i, "ok").status("w1", "idle");
      if (i % 3 == 2) {
        s.status("w1", "offline").register("w1", "worker").status("w1", "idle");
      }
    }
    assertThat(new Harness().feed(s.events()).raised(InconsistentAgentDetector.NAME)).isEmpty();
  }

  @Test
  void aWorkerThatSignsOffAfterEachRunsTasksIsNotFlapping() {
    Script s = new Script("r1");
    for (int run = 0; run < 15; run++) {
      s.seconds(1).register("w1", "worker").assign("m", "t" + run, "w1").start("w1", "t" + run).status("w1", "busy")
          .complete("w1", "t" + run, "ok").status("w1", "idle").status("w1", "offline");
    }
    assertThat(new Harness().feed(s.events()).raised(InconsistentAgentDetector.NAME)).isEmpty();
  }

  @Test
  void aManagerThatEndsARunAndSignsOffEveryFewSecondsIsWorkingNotFlapping() {
    Script s = new Script("r1");
    for (int run = 0; run < 15; run++) {
      s.seconds(1).register("m", "manager").status("m", "busy").assign("m", "t" + run, "w1").status("m", "idle")
          .end("run.completed", "m").status("m", "offline");
    }
    assertThat(new Harness().feed(s.events()).raised(InconsistentAgentDetector.NAME)).isEmpty();
  }

  @Test
  void aFewStatusChangesAreNormal() {
    Script s = new Script("r1").status("w1", "idle").seconds(5).status("w1", "busy").seconds(5).status("w1", "idle")
        .seconds(5).status("w1", "idle");
    assertThat(new Harness().feed(s.events()).raised(InconsistentAgentDetector.NAME)).isEmpty();
  }
}
