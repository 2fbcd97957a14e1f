package io.agentwatch.analytics.facts;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import org.junit.jupiter.api.Test;

class AgentRegistryTest {

  @Test
  void anAgentThatWentOfflineIsBackWithItsNextActivity() {
    Script s = new Script("run-1").register("researcher", "worker").status("researcher", "offline");
    Harness h = new Harness().feed(s.events());
    assertThat(h.tenant().runGraph("run-1").nodes()).singleElement()
        .satisfies(n -> assertThat(n.agent().offline()).isTrue());

    h.feed(new Script("run-2", "next").at(Script.T0.plusSeconds(60)).heartbeat("researcher").events());
    assertThat(h.tenant().runGraph("run-2").nodes()).singleElement().satisfies(n -> {
      assertThat(n.agent().offline()).isFalse();
      assertThat(n.agent().status()).isEqualTo("idle");
    });
  }

  @Test
  void aLateEventOlderThanTheSignOffAndTheServersOwnEventsDoNotBringAnAgentBack() {
    AgentRegistry agents = new AgentRegistry();
    Script s = new Script("r1").heartbeat("w1").seconds(10).status("w1", "offline").command("w1", "pause");
    s.events().forEach(agents::apply);
    agents.apply(new Script("r1", "late").at(Script.T0.plusSeconds(5)).log("w1").events().getFirst());
    assertThat(agents.isOffline("w1")).isTrue();
  }
}
