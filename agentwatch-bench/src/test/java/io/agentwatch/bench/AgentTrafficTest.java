package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AgentTrafficTest {

  private final AgentTraffic traffic = new AgentTraffic("p1", "run", 50, 5, 10);

  @Test
  void everyEventIsValidAndTheMixHasEveryTypeOfTheCycleAndSomeFailures() {
    Set<String> types = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (int producer = 0; producer < 10; producer++) {
      for (JsonNode node : EventCodec.JSON.readTree(traffic.array(producer, 0, 600))) {
        Event e = EventCodec.decode(node);
        types.add(e.type());
        ids.add(e.id());
        assertThat(node.get("data").get("sentAtMs").isNumber()).isTrue();
      }
    }

    assertThat(ids).hasSize(6000);
    assertThat(types).contains(AgentTraffic.CYCLE).contains("task.failed");
  }

  @Test
  void eachAgentSpeaksThroughOneProducerAndGoesThroughItsCycleInOrder() {
    Map<String, Integer> producerOf = new HashMap<>();
    Map<String, Integer> nextStep = new HashMap<>();
    for (int producer = 0; producer < 10; producer++) {
      long seq = 0;
      for (int batch = 0; batch < 3; batch++) {
        for (JsonNode node : EventCodec.JSON.readTree(traffic.array(producer, seq, 40))) {
          String agent = node.get("agentId").stringValue();
          Integer before = producerOf.put(agent, producer);
          assertThat(before).as(agent).isIn(null, producer);
          int step = nextStep.merge(agent, 1, Integer::sum) - 1;
          String expected = AgentTraffic.CYCLE[step % AgentTraffic.CYCLE.length];
          assertThat(node.get("type").stringValue()).isIn(expected,
              expected.equals("task.completed") ? "task.failed" : expected);
        }
        seq += 40;
      }
    }

    assertThat(producerOf).hasSize(50);
    assertThat(producerOf.get("agent-07")).isEqualTo(7);
    assertThat(producerOf.get("agent-17")).isEqualTo(7);
  }

  @Test
  void agentsAreSpreadOverTheRunsWithAManagerEach() {
    assertThat(traffic.runId(0)).isEqualTo("run-1");
    assertThat(traffic.runId(7)).isEqualTo("run-3");
    assertThat(traffic.isManager(4)).isTrue();
    assertThat(traffic.isManager(5)).isFalse();
    JsonNode registrations = EventCodec.JSON.readTree(traffic.registrations());
    assertThat(registrations.size()).isEqualTo(50);
    registrations.forEach(EventCodec::decode);
    assertThat(registrations.get(2).get("data").get("role").stringValue()).isEqualTo("manager");
  }

  @Test
  void theBenchSubscriberFindsTheSendTimeInADeliveredFrame() {
    StringBuilder event = new StringBuilder();
    traffic.appendEvent(event, 3, 12, "2026-11-28T16:00:00Z", 1_764_345_600_000L, -987_654_321L);
    String frame = "{\"op\":\"event\",\"sub\":\"s0\",\"cursor\":\"c\",\"event\":"
        + event.substring(0, event.length() - 1) + ",\"tenant\":\"default\",\"receivedAt\":\"2026-11-28T16:00:01Z\"}}";

    assertThat(Envelopes.sentNanos(frame)).isEqualTo(-987_654_321L);
    assertThat(EventCodec.JSON.readTree(event.toString()).get("data").get("sentAtMs").asLong())
        .isEqualTo(1_764_345_600_000L);
  }

  @Test
  void aTeamWithoutAWorkerPerRunOrWithMoreProducersThanAgentsIsRefused() {
    assertThatThrownBy(() -> new AgentTraffic("p", "run", 8, 5, 2)).hasMessageContaining("8 agents, 5 runs");
    assertThatThrownBy(() -> new AgentTraffic("p", "run", 10, 5, 11)).hasMessageContaining("11 producers");
  }
}
