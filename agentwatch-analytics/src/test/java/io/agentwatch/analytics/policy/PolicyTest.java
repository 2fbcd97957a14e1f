package io.agentwatch.analytics.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.node.ObjectNode;

class PolicyTest {

  private static Policy parse(String json) {
    return Policy.parse(EventCodec.JSON.readTree(json), "generated", AnalyticsEngine.DETECTORS);
  }

  private static InvalidDefinitionException refusal(Runnable r) {
    try {
      r.run();
    } catch (InvalidDefinitionException e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  @Test
  void aDefinitionReadsWithSafeDefaultsAndWritesBackTheSame() {
    Policy p = parse("{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\"}");
    assertThat(p.mode()).as("nothing is enforced unless asked").isEqualTo(Policy.Mode.DRY_RUN);
    assertThat(p.cooldown()).isEqualTo(Duration.ofMinutes(5));
    assertThat(p.capActions()).isEqualTo(10);
    assertThat(Policy.parse(p.toJson(), "x", AnalyticsEngine.DETECTORS)).isEqualTo(p);
  }

  @ParameterizedTest(name = "{0} is refused on {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"action\":\"pause\"}|match|a policy that matches every alert is refused",
      "{\"match\":{},\"action\":\"pause\"}|match.detectors|must name at least one detector",
      "{\"match\":{\"detectors\":[]},\"action\":\"pause\"}|match.detectors|must name at least one detector",
      "{\"match\":{\"detectors\":[\"routing_loop\",\"gremlins\"]},\"action\":\"pause\"}|match.detectors[1]|must be one of",
      "{\"match\":{\"detectors\":[\"stuck_task\",\"stuck_task\"]},\"action\":\"pause\"}|match.detectors[1]|twice",
      "{\"match\":{\"detectors\":[\"routing_loop\"],\"severity\":\"huge\"},\"action\":\"pause\"}|match.severity|must be one of",
      "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"explode\"}|action|must be one of",
      "{\"match\":{\"detectors\":[\"routing_loop\"]}}|action|is required",
      "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"mode\":\"maybe\"}|mode|must be one of",
      "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"cooldown\":\"-1m\"}|cooldown|must be a duration",
      "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"cap\":{\"actions\":0}}|cap.actions|from 1 to 1000",
      "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"cap\":{\"per\":\"5s\"}}|cap.per|must be from 1m",
      "{\"match\":{\"detectors\":[\"routing_loop\"],\"team\":\"x\"},\"action\":\"pause\"}|match.team|is not a field here"})
  void badDefinitionsAreRefusedNamingTheField(String json, String field, String message) {
    InvalidDefinitionException e = refusal(() -> parse(json));
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.getMessage()).contains(message);
  }

  @Test
  void aPolicyThatReactsToWhatItsOwnCommandCausesIsRefused() {
    Policy pauseStuck = parse("{\"id\":\"p1\",\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"pause\","
        + "\"mode\":\"enforce\"}");
    InvalidDefinitionException e = refusal(() -> PolicyCycles.check(pauseStuck, List.of()));
    assertThat(e.field()).isEqualTo("match.detectors");
    assertThat(e.getMessage()).contains("policy 'p1' would react to its own commands: pause can cause stuck_task");

    PolicyCycles.check(parse("{\"id\":\"p1\",\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"pause\"}"),
        List.of());
    PolicyCycles.check(parse("{\"id\":\"p1\",\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"notify\","
        + "\"mode\":\"enforce\"}"), List.of());
  }

  @Test
  void policiesThatReactToEachOthersCommandsAreRefused() {
    Policy cancelStuck = parse("{\"id\":\"a\",\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"cancel\","
        + "\"mode\":\"enforce\"}");
    Policy pauseAnomalies = parse("{\"id\":\"b\",\"match\":{\"detectors\":[\"anomaly\"]},\"action\":\"pause\","
        + "\"mode\":\"enforce\"}");
    PolicyCycles.check(cancelStuck, List.of());
    InvalidDefinitionException e = refusal(() -> PolicyCycles.check(pauseAnomalies, List.of(cancelStuck)));
    assertThat(e.getMessage()).contains("policies 'b' → 'a' → 'b' would react to each other's commands",
        "'b' pauses, which can cause stuck_task, which 'a' matches", "'a' cancels, which can cause anomaly");
  }

  @Test
  void aCycleThatRacedPastTheApiIsRefusedByTheBookAndNeverActs() {
    PolicyBook book = new PolicyBook(AnalyticsEngine.DETECTORS);
    book.apply(set("{\"id\":\"a\",\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"cancel\",\"mode\":\"enforce\"}"));
    book.apply(set("{\"id\":\"b\",\"match\":{\"detectors\":[\"anomaly\"]},\"action\":\"pause\",\"mode\":\"enforce\"}"));
    assertThat(book.get("b").refused()).contains("would react to each other's commands");
    assertThat(book.active()).extracting(Policy::id).containsExactly("a");
  }

  @Test
  void aPatchMergesTheFieldsAndIsCheckedAsAWhole() {
    Policy p = parse("{\"id\":\"p\",\"match\":{\"detectors\":[\"routing_loop\"],\"runId\":\"r1\"},\"action\":\"pause\"}");
    Policy enforced = p.patched(EventCodec.JSON.readTree("{\"mode\":\"enforce\",\"match\":{\"runId\":null}}"),
        AnalyticsEngine.DETECTORS);
    assertThat(enforced.mode()).isEqualTo(Policy.Mode.ENFORCE);
    assertThat(enforced.runId()).isNull();
    assertThat(enforced.detectors()).containsExactly("routing_loop");
    assertThatThrownBy(() -> p.patched(EventCodec.JSON.readTree("{\"match\":{\"detectors\":[]}}"),
        AnalyticsEngine.DETECTORS)).hasMessageContaining("match.detectors");
  }

  private static Event set(String json) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.set("policy", EventCodec.JSON.readTree(json));
    return new Event("e-" + json.hashCode(), Policy.SET, "agentwatch-api", null, Instant.EPOCH, null, null, data);
  }
}
