package io.agentwatch.server.agentpipe;

import static io.agentwatch.server.agentpipe.AgentPipeSamples.completed;
import static io.agentwatch.server.agentpipe.AgentPipeSamples.message;
import static io.agentwatch.server.agentpipe.AgentPipeSamples.started;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BridgeEventsTest {

  private static final Instant NOW = Instant.parse("2026-11-28T17:00:00Z");
  private final BridgeEvents bridge = new BridgeEvents(() -> "random-id");

  private BridgeEvents.Translation translate(String json) {
    return bridge.translate(EventCodec.JSON.readTree(json), NOW);
  }

  private static List<String> problems(BridgeEvents.Translation t) {
    return t.problems().stream().map(Problem::message).toList();
  }

  @Test
  void aStartedConversationRegistersTheOrchestratorAndEveryParticipantInTheRun() {
    BridgeEvents.Translation t = translate(started("conv-1"));

    assertThat(t.problems()).isEmpty();
    assertThat(t.status()).isEqualTo(201);
    assertThat(t.answer()).containsEntry("conversation_id", "conv-1");
    assertThat(t.events()).extracting(Event::type).containsOnly("agent.registered");
    assertThat(t.events()).extracting(Event::agentId).containsExactly("agentpipe", "claude-1", "gemini");
    assertThat(t.events()).extracting(Event::runId).containsOnly("conv-1");
    assertThat(t.events().get(0).data().get("role").stringValue()).isEqualTo("orchestrator");
    assertThat(t.events().get(1).data().get("name").stringValue()).isEqualTo("Alice");
    assertThat(t.events().get(1).data().get("model").stringValue()).isEqualTo("claude-sonnet-4");
    assertThat(t.events().get(0).ts()).isEqualTo(Instant.parse("2026-11-28T16:00:00.123456789Z"));
  }

  @Test
  void olderClisNameTheParticipantsAgents() {
    BridgeEvents.Translation t = translate(started("conv-2").replace("\"participants\"", "\"agents\""));
    assertThat(t.problems()).isEmpty();
    assertThat(t.events()).hasSize(3);
  }

  @Test
  void aMessageIsSentToTheRoomAndItsTokensAreAModelCall() {
    BridgeEvents.Translation t = translate(message("conv-1", "m-1", 1, "claude-1", "claude", "Hello"));

    assertThat(t.status()).isEqualTo(201);
    assertThat(t.answer()).containsEntry("message_id", "m-1");
    Event sent = t.events().get(0);
    Event llm = t.events().get(1);
    assertThat(sent.type()).isEqualTo("message.sent");
    assertThat(sent.agentId()).isEqualTo("claude-1");
    assertThat(sent.data().get("to").stringValue()).isEqualTo("agentpipe");
    assertThat(sent.data().get("content").stringValue()).isEqualTo("Hello");
    assertThat(sent.data().get("agentpipe").get("data").has("content")).isFalse();
    assertThat(llm.type()).isEqualTo("llm.call");
    assertThat(llm.parentId()).isEqualTo(sent.id());
    assertThat(llm.data().get("inputTokens").longValue()).isEqualTo(100);
    assertThat(llm.data().get("outputTokens").longValue()).isEqualTo(50);
    assertThat(llm.data().get("costUsd").doubleValue()).isEqualTo(0.0025);
    assertThat(llm.data().get("latencyMs").doubleValue()).isEqualTo(1830);
  }

  @Test
  void aRetriedPostMakesTheSameIdsAndDistinctFactsDistinctIds() {
    String m1 = message("conv-1", "m-1", 1, "claude-1", "claude", "Hello");
    assertThat(translate(m1).events()).extracting(Event::id)
        .containsExactlyElementsOf(translate(m1).events().stream().map(Event::id).toList());
    assertThat(translate(message("conv-1", "m-2", 2, "claude-1", "claude", "Hello")).events().get(0).id())
        .isNotEqualTo(translate(m1).events().get(0).id());
    assertThat(translate(message("conv-9", "m-1", 1, "claude-1", "claude", "Hello")).events().get(0).id())
        .isNotEqualTo(translate(m1).events().get(0).id());
  }

  @Test
  void aMessageWithoutIdIsKeyedBySequenceNumberElseGetsARandomKey() {
    String noId = message("conv-1", "x", 7, "claude-1", "claude", "Hi").replace("\"message_id\":\"x\",", "");
    assertThat(translate(noId).answer()).containsEntry("message_id", "seq-7");
    String neither = noId.replace("\"sequence_number\":7,", "");
    assertThat(translate(neither).answer()).containsEntry("message_id", "random-id");
  }

  @Test
  void onlyATotalCountsAsOutputAndNoUsageMeansNoModelCall() {
    String totalOnly = message("c", "m", 1, "a", "claude", "x").replace("\"input_tokens\":100,", "")
        .replace("\"output_tokens\":50,", "");
    Event llm = translate(totalOnly).events().get(1);
    assertThat(llm.data().get("inputTokens").longValue()).isZero();
    assertThat(llm.data().get("outputTokens").longValue()).isEqualTo(150);

    String bare = """
        {"type":"message.created","timestamp":"2026-11-28T16:00:00Z","data":{"conversation_id":"c",
         "agent_type":"claude","content":"hi"}}""";
    assertThat(translate(bare).events()).extracting(Event::type).containsExactly("message.sent");
  }

  @Test
  void aCompletedConversationEndsTheRunAndItsSummaryIsAModelCall() {
    BridgeEvents.Translation t = translate(completed("conv-1", "completed"));
    assertThat(t.status()).isEqualTo(200);
    assertThat(t.answer()).containsEntry("success", true);
    assertThat(t.events()).extracting(Event::type).containsExactly("run.completed", "llm.call");
    assertThat(t.events().get(1).agentId()).isEqualTo("gemini");
    assertThat(t.events().get(1).data().get("inputTokens").longValue()).isEqualTo(400);

    assertThat(translate(completed("conv-1", "interrupted")).events().get(0).type()).isEqualTo("run.failed");
    assertThat(translate(completed("conv-1", "error")).events().get(0).data().get("outcome").stringValue())
        .isEqualTo("error");
  }

  @Test
  void anErrorIsAnErrorOfTheAgentAndTheRunGoesOn() {
    BridgeEvents.Translation t = translate("""
        {"type":"conversation.error","timestamp":"2026-11-28T16:00:30Z","data":{"conversation_id":"conv-1",
         "error_message":"claude timed out","error_type":"timeout","agent_type":"claude"}}""");
    assertThat(t.events()).singleElement().satisfies(e -> {
      assertThat(e.type()).isEqualTo("error.occurred");
      assertThat(e.agentId()).isEqualTo("claude");
      assertThat(e.data().get("message").stringValue()).isEqualTo("claude timed out");
    });
  }

  @Test
  void connectivityChecksAreAnsweredAndStoreNothing() {
    BridgeEvents.Translation t = translate("""
        {"type":"bridge.test","timestamp":"2026-11-28T16:00:00Z","data":{"message":"ping"}}""");
    assertThat(t.status()).isEqualTo(200);
    assertThat(t.events()).isEmpty();
    assertThat(t.answer()).containsEntry("success", true).containsKey("received_at");
  }

  @Test
  void everyProblemOfABadEventIsListedWithItsPath() {
    assertThat(problems(translate("{\"type\":\"conversation.begun\",\"timestamp\":\"yesterday\"}"))).containsExactly(
        "type must be one of bridge.connected, bridge.test, conversation.completed, conversation.error, "
            + "conversation.started, message.created but was 'conversation.begun'",
        "timestamp must be an ISO 8601 timestamp like 2026-11-28T16:00:00.123Z but was 'yesterday'",
        "data is required: an object");
    assertThat(problems(translate("""
        {"type":"message.created","timestamp":"2026-11-28T16:00:00Z","data":{"conversation_id":"c",
         "agent_type":"","content":42,"input_tokens":-1,"cost":"free","sequence_number":1.5}}""")))
        .containsExactlyInAnyOrder("data.agent_type must not be empty", "data.content must be a string",
            "data.input_tokens must be a whole number >= 0 but was -1", "data.cost must be a number >= 0 but was \"free\"",
            "data.sequence_number must be a whole number >= 0 but was 1.5");
    assertThat(problems(translate(started("c").replace("\"participants\"", "\"people\""))))
        .containsExactly("data.participants (or agents) is required: an array of participants");
    assertThat(problems(translate(message("c", "m", 1, "a", "claude", "x".repeat(100_001)))))
        .containsExactly("data.content must be at most 100000 characters but had 100001");
    assertThat(problems(translate(completed("c", "done")))).singleElement().asString()
        .startsWith("data.status must be one of completed, error, interrupted");
    assertThat(problems(translate(message("c".repeat(129), "m", 1, "a", "claude", "x"))))
        .containsExactly("data.conversation_id must be at most 128 characters but had 129");
  }
}
