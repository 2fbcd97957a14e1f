package io.agentwatch.analytics.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.detect.RoutingLoopDetector;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponderTest {

  private static final String PAUSE_LOOPS = "{\"id\":\"p-loop\",\"match\":{\"detectors\":[\"routing_loop\"]},"
      + "\"action\":\"pause\",\"mode\":\"enforce\"}";

  private static Script loop(Script s, String prefix, int rounds) {
    for (int i = 0; i < rounds; i++) {
      s.seconds(2).message(prefix + "a", prefix + "b").seconds(2).message(prefix + "b", prefix + "c")
          .seconds(2).message(prefix + "c", prefix + "a");
    }
    return s;
  }

  private static List<Event> of(Harness h, String type) {
    return h.alerts.stream().filter(e -> e.type().equals(type)).toList();
  }

  @Test
  void anEnforcedPolicyPausesEveryAgentOfTheLoopTheMomentTheAlertIsRaised() {
    Harness h = new Harness().feed(loop(new Script("r1").policy(PAUSE_LOOPS), "", 3).events());
    Event alert = h.raised(RoutingLoopDetector.NAME).getFirst();
    List<Event> commands = of(h, "command.issued");
    assertThat(commands).extracting(Event::agentId).containsExactly("a", "b", "c");
    assertThat(h.alerts.indexOf(commands.getFirst())).as("right after the alert, from the same event")
        .isEqualTo(h.alerts.indexOf(alert) + 1);
    assertThat(commands).allSatisfy(c -> {
      assertThat(c.data().get("type").stringValue()).isEqualTo("pause");
      assertThat(c.data().get("by").stringValue()).isEqualTo("policy:p-loop");
      assertThat(c.data().get("issuedBy").stringValue()).isEqualTo("policy:p-loop");
      assertThat(c.data().get("alertId").stringValue()).isEqualTo(alert.id());
      assertThat(c.target()).isEqualTo(c.agentId());
      assertThat(c.ts()).isEqualTo(alert.ts());
      assertThat(c.runId()).isEqualTo("r1");
    });
    assertThat(h.tenant().alert(alert.id()).actions()).extracting(a -> a.agentId() + ":" + a.type())
        .containsExactly("a:pause", "b:pause", "c:pause");
  }

  @Test
  void replayingTheLogWithItsCommandsIssuesNoNewCommand() {
    List<Event> input = loop(new Script("r1").policy(PAUSE_LOOPS), "", 4).events();
    Harness first = new Harness();
    List<Event> log = new ArrayList<>();
    for (Event e : input) {
      log.add(e);
      List<Event> made = first.engine.apply(Harness.TENANT, e, e.ts());
      log.addAll(made);
    }
    Harness replay = new Harness().feed(log);
    List<String> logIds = log.stream().map(Event::id).toList();
    assertThat(replay.alerts).as("what a replay makes is in the log already: the log drops it as a duplicate")
        .isNotEmpty().allSatisfy(e -> assertThat(logIds).contains(e.id()));
    assertThat(log.stream().filter(e -> e.type().equals("command.issued"))).hasSize(3);
  }

  @Test
  void aDryRunRecordsWhatItWouldHaveDoneAndCommandsNobody() {
    Harness h = new Harness().feed(loop(new Script("r1").policy(PAUSE_LOOPS.replace("enforce", "dry-run")), "", 3)
        .events());
    assertThat(of(h, "command.issued")).isEmpty();
    assertThat(of(h, "policy.matched")).hasSize(3).allSatisfy(m -> {
      assertThat(m.data().get("outcome").stringValue()).isEqualTo("dry-run");
      assertThat(m.data().get("action").stringValue()).isEqualTo("pause");
      assertThat(m.agentId()).isEqualTo(AlertEvents.ANALYTICS_AGENT);
    });
  }

  @Test
  void theCooldownHoldsBackASecondActionOnTheSameAgentAndTheCapBoundsThemAll() {
    String policy = "{\"id\":\"p\",\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"quarantine\","
        + "\"mode\":\"enforce\",\"cooldown\":\"10m\",\"cap\":{\"actions\":4,\"per\":\"1h\"}}";
    Script s = new Script("r1").policy(policy);
    loop(s, "", 3);
    s.after(Duration.ofMinutes(5));
    loop(s, "", 3);
    s.after(Duration.ofMinutes(20));
    loop(s, "x", 3);
    Harness h = new Harness().feed(s.events());
    assertThat(of(h, "command.issued")).extracting(Event::agentId).containsExactly("a", "b", "c", "xa");
    assertThat(of(h, "policy.matched")).extracting(m -> m.target() + ":" + m.data().get("outcome").stringValue())
        .containsExactly("a:cooldown", "b:cooldown", "c:cooldown", "xb:cap", "xc:cap");
  }

  @Test
  void aBudgetBreachQuarantinesTheBiggestSpender() {
    Script s = new Script("r1")
        .budget("{\"id\":\"b\",\"metric\":\"costUsd\",\"limit\":1,\"per\":\"run\"}")
        .policy("{\"id\":\"p-budget\",\"match\":{\"detectors\":[\"budget\"],\"severity\":\"critical\"},"
            + "\"action\":\"quarantine\",\"mode\":\"enforce\",\"targets\":\"first\"}")
        .llm("w1", 100, 0.3, 10).llm("w2", 100, 0.6, 10).llm("w2", 100, 0.2, 10);
    Harness h = new Harness().feed(s.events());
    assertThat(of(h, "command.issued")).singleElement().satisfies(c -> {
      assertThat(c.agentId()).isEqualTo("w2");
      assertThat(c.data().get("type").stringValue()).isEqualTo("quarantine");
      assertThat(c.data().get("reason").stringValue()).contains("p-budget", "the budget is exhausted");
    });
    assertThat(h.tenant().runGraph("r1").nodes()).filteredOn(n -> n.id().equals("w2"))
        .singleElement().satisfies(n -> assertThat(n.agent().quarantined()).as("read back from the log later").isFalse());
  }

  @Test
  void aPolicyActsFromItsPlaceInTheLogAndANotifyPolicyOnlyRecords() {
    Script s = loop(new Script("r1"), "", 3)
        .policy("{\"id\":\"n\",\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"notify\",\"mode\":\"enforce\"}");
    loop(s, "x", 3);
    Harness h = new Harness().feed(s.events());
    assertThat(of(h, "policy.matched")).singleElement().satisfies(m -> {
      assertThat(m.data().get("outcome").stringValue()).isEqualTo("notified");
      assertThat(m.runId()).isEqualTo("r1");
      assertThat(m.data().get("agents")).hasSize(3);
    });
    assertThat(of(h, "command.issued")).isEmpty();
  }
}
