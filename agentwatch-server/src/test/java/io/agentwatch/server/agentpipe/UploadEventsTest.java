package io.agentwatch.server.agentpipe;

import static io.agentwatch.server.agentpipe.AgentPipeSamples.upload;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UploadEventsTest {

  private final UploadEvents uploads = new UploadEvents();

  private UploadEvents.Translation translate(String json) {
    return uploads.translate(EventCodec.JSON.readTree(json), json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aPastConversationBecomesTheEventsItsLiveBridgeWouldHaveMade() {
    UploadEvents.Translation t = translate(upload("past-1", "\"Let us start.\""));

    assertThat(t.problems()).isEmpty();
    assertThat(t.conversationId()).isEqualTo("past-1");
    assertThat(t.agents()).isEqualTo(2);
    assertThat(t.messages()).isEqualTo(2);
    assertThat(t.events()).extracting(Event::type).containsExactly("agent.registered", "agent.registered",
        "agent.registered", "message.sent", "llm.call", "message.sent", "llm.call", "run.completed");
    assertThat(t.events().getLast().ts()).isEqualTo(Instant.parse("2026-11-28T15:05:00Z"));
    assertThat(t.events().get(6).data().get("outputTokens").longValue()).isEqualTo(70);
    // The same ids as the live bridge: the message keyed by its sequence number.
    BridgeEvents.Translation live = new BridgeEvents().translate(EventCodec.JSON.readTree("""
        {"type":"message.created","timestamp":"2026-11-28T15:01:00Z","data":{"conversation_id":"past-1",
         "agent_type":"claude","content":"Let us start.","sequence_number":1}}"""), Instant.EPOCH);
    assertThat(t.events().get(3).id()).isEqualTo(live.events().getFirst().id());
    assertThat(AgentPipeFormat.shape(t.events().get(0)).get("type").stringValue()).isEqualTo("conversation.started");
  }

  @Test
  void anActiveConversationIsNotEndedAndOneWithoutIdGetsOneFromItsBody() {
    String active = upload("x", "\"hi\"").replace("\"id\":\"x\",", "").replace("\"COMPLETED\"", "\"ACTIVE\"");
    UploadEvents.Translation t = translate(active);
    assertThat(t.events()).extracting(Event::type).doesNotContain("run.completed", "run.failed");
    assertThat(t.conversationId()).startsWith("upload-").isEqualTo(translate(active).conversationId());
  }

  @Test
  void everyProblemIsListedWithItsPath() {
    String bad = upload("past-2", "42").replace("\"COMPLETED\"", "\"DONE\"")
        .replace("\"agent_name\":\"Bob\"}", "\"agent_name\":\"\"}")
        .replace("\"timestamp\":\"2026-11-28T15:02:00Z\"", "\"timestamp\":\"later\"");
    assertThat(translate(bad).problems()).extracting(Problem::message).containsExactlyInAnyOrder(
        "conversation.status must be one of ACTIVE, COMPLETED, ERROR, INTERRUPTED but was 'DONE'",
        "agents[1].agent_name must not be empty",
        "messages[0].content must be a string",
        "messages[1].timestamp must be an ISO 8601 timestamp like 2026-11-28T16:00:00.123Z but was 'later'");
    assertThat(translate("{\"conversation\":1,\"agents\":{}}").problems()).extracting(Problem::message)
        .containsExactly("messages is required: an array", "conversation must be an object", "agents must be an array");
  }

  @Test
  void twoMessagesWithTheSameSequenceNumberAreAProblem() {
    String twice = upload("past-3", "\"a\"").replace("\"role\":\"agent\"", "\"sequence_number\":1");
    assertThat(translate(twice).problems()).extracting(Problem::message)
        .containsExactly("messages[1] repeats messages[0] (same message_id or sequence_number)");
  }
}
