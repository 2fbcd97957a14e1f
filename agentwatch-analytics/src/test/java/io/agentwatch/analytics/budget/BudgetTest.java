package io.agentwatch.analytics.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BudgetTest {

  private static Budget parse(String json) {
    return Budget.parse(EventCodec.JSON.readTree(json), "generated");
  }

  @Test
  void aDefinitionReadsWithItsDefaultsAndWritesBackTheSame() {
    Budget b = parse("{\"metric\":\"tokens\",\"limit\":200000,\"per\":\"agent\",\"window\":\"1h\"}");
    assertThat(b.id()).isEqualTo("generated");
    assertThat(b.window()).isEqualTo(Duration.ofHours(1));
    assertThat(b.warnAt()).isEqualTo(0.8);
    assertThat(b.title()).isEqualTo("200,000 tokens per agent per 1h");
    assertThat(Budget.parse(b.toJson(), "other")).isEqualTo(b);
  }

  @ParameterizedTest(name = "{0} is refused on {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"metric\":\"costUsd\",\"limit\":-5,\"per\":\"run\"}|limit|must be a positive amount",
      "{\"metric\":\"costUsd\",\"limit\":0,\"per\":\"run\"}|limit|must be a positive amount",
      "{\"metric\":\"costUsd\",\"per\":\"run\"}|limit|is required",
      "{\"metric\":\"tokens\",\"limit\":10.5,\"per\":\"run\"}|limit|whole number of tokens",
      "{\"metric\":\"euros\",\"limit\":5,\"per\":\"run\"}|metric|must be one of costUsd, llmCalls, tokens",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"team\"}|per|must be one of agent, run, tenant",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"tenant\",\"agentId\":\"w1\"}|agentId|only a budget per agent",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"agent\",\"runId\":\"r1\"}|runId|only a budget per run",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"warnAt\":1.2}|warnAt|between 0 and 1",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"window\":\"-5m\"}|window|must be a duration",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"window\":\"60d\"}|window|must be from 1s to 31d",
      "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"colour\":\"red\"}|colour|is not a field here",
      "{\"metric\":\"costUsd\",\"limit\":\"5\",\"per\":\"run\"}|limit|must be a number",
      "{\"id\":\"no spaces\",\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\"}|id|must be 1-48 characters",
      "[1]|body|must be a JSON object"})
  void badOrContradictoryDefinitionsAreRefusedNamingTheField(String json, String field, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidDefinitionException.class)
        .satisfies(e -> assertThat(((InvalidDefinitionException) e).field()).isEqualTo(field))
        .hasMessageContaining(message);
  }
}
