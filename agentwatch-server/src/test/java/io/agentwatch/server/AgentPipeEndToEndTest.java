package io.agentwatch.server;

import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** AgentPipe's bridge, upload and live stream through a real server, checked through /api/v1. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentPipeEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> bridge(String body) {
    return server.post("/api/ingest", ADMIN_KEY, "application/json", body);
  }

  private static String started(String conversation) {
    return """
        {"type":"conversation.started","timestamp":"2026-11-28T16:00:00Z","data":{
          "conversation_id":"%s","mode":"round-robin","initial_prompt":"Design a web scraper","max_turns":2,
          "participants":[{"agent_id":"%s-alice","agent_type":"claude","name":"Alice","model":"claude-sonnet-4"},
                          {"agent_id":"%s-bob","agent_type":"gemini","name":"Bob","model":"gemini-2.5-pro"}],
          "system_info":{"agentpipe_version":"0.6.0","os":"linux","os_version":"6.1","go_version":"go1.25",
            "architecture":"amd64"}}}""".formatted(conversation, conversation, conversation);
  }

  private static String message(String conversation, int sequence, String agent, String content) {
    return """
        {"type":"message.created","timestamp":"2026-11-28T16:00:%02dZ","data":{
          "conversation_id":"%s","message_id":"%s-m%d","agent_id":"%s-%s","agent_type":"claude",
          "agent_name":"%s","content":"%s","sequence_number":%d,"turn_number":1,"tokens_used":150,
          "input_tokens":100,"output_tokens":50,"cost":0.01,"model":"claude-sonnet-4","duration_ms":1200}}"""
        .formatted(sequence, conversation, conversation, sequence, conversation, agent, agent, content, sequence);
  }

  private static String completed(String conversation, String status) {
    return """
        {"type":"conversation.completed","timestamp":"2026-11-28T16:01:00Z","data":{
          "conversation_id":"%s","status":"%s","total_messages":2,"total_tokens":300,"total_cost":0.02,
          "duration_seconds":60}}""".formatted(conversation, status);
  }

  private JsonNode eventually(String path, java.util.function.Predicate<JsonNode> ready) {
    JsonNode[] last = new JsonNode[1];
    TestServer.await(path + " to be ready", 15, () -> {
      HttpResponse<String> r = server.get(path, ADMIN_KEY);
      return r.statusCode() == 200 && ready.test(last[0] = json(r.body()));
    });
    return last[0];
  }

  @Test
  void aConversationStreamedEventByEventIsARunWithItsAgentsAndMessages() {
    HttpResponse<String> r = bridge(started("ap-live"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json(r.body()).get("conversation_id").stringValue()).isEqualTo("ap-live");
    r = bridge(message("ap-live", 1, "alice", "Let us split the work."));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    assertThat(json(r.body()).get("message_id").stringValue()).isEqualTo("ap-live-m1");
    assertThat(bridge(message("ap-live", 2, "bob", "I take the parser.")).statusCode()).isEqualTo(201);
    r = bridge(completed("ap-live", "completed"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).get("success").booleanValue()).isTrue();

    JsonNode run = eventually("/api/v1/runs/ap-live", n -> "completed".equals(n.get("status").stringValue()));
    assertThat(run.get("participants").get("ap-live-alice").stringValue()).isEqualTo("participant");
    assertThat(run.get("participants").get("agentpipe").stringValue()).isEqualTo("orchestrator");
    assertThat(run.get("participants").has("ap-live-bob")).isTrue();
    assertThat(run.get("totals").get("messages").asLong()).isEqualTo(2);
    assertThat(run.get("totals").get("llmCalls").asLong()).isEqualTo(2);
    assertThat(run.get("totals").get("inputTokens").asLong()).isEqualTo(200);
    assertThat(run.get("totals").get("costUsd").asDouble()).isEqualTo(0.02);
    assertThat(run.get("startedAt").stringValue()).isEqualTo("2026-11-28T16:00:00Z");
    assertThat(run.get("endedAt").stringValue()).isEqualTo("2026-11-28T16:01:00Z");

    JsonNode alice = eventually("/api/v1/agents/ap-live-alice", a -> a.get("counters").get("messagesSent").asLong() == 1);
    assertThat(alice.get("name").stringValue()).isEqualTo("Alice");
    assertThat(alice.get("role").stringValue()).isEqualTo("participant");
    assertThat(json(server.get("/api/v1/agents", ADMIN_KEY).body()).get("agents").valueStream()
        .map(a -> a.get("agentId").stringValue()).toList()).contains("ap-live-alice", "ap-live-bob", "agentpipe");

    JsonNode messages = json(server.get("/api/v1/events?runId=ap-live&type=message.sent", ADMIN_KEY).body())
        .get("events");
    assertThat(messages.valueStream().map(e -> e.get("data").get("content").stringValue()).toList())
        .containsExactly("Let us split the work.", "I take the parser.");
  }

  @Test
  void aRetriedPostIsHarmless() {
    String m = message("ap-retry", 1, "alice", "once");
    assertThat(bridge(m).statusCode()).isEqualTo(201);
    HttpResponse<String> again = bridge(m);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(json(again.body()).get("message_id").stringValue()).isEqualTo("ap-retry-m1");
    assertThat(json(server.get("/api/v1/events?runId=ap-retry", ADMIN_KEY).body()).get("events")).hasSize(2);
  }

  @Test
  void anInterruptedConversationIsAFailedRun() {
    bridge(started("ap-stop"));
    assertThat(bridge(completed("ap-stop", "interrupted")).statusCode()).isEqualTo(200);
    eventually("/api/v1/runs/ap-stop", n -> "failed".equals(n.get("status").stringValue()));
  }

  private static String upload(String conversation, String secondContent) {
    return """
        {"conversation":{"id":"%s","name":"Scraper design","mode":"round-robin","initial_prompt":"Design a scraper",
           "started_at":"2026-11-28T15:00:00Z","completed_at":"2026-11-28T15:05:00Z","status":"COMPLETED"},
         "agents":[{"agent_type":"claude","agent_name":"Alice"},{"agent_type":"gemini","agent_name":"Bob"}],
         "messages":[
           {"agent_type":"claude","agent_name":"Alice","content":"First.","timestamp":"2026-11-28T15:01:00Z",
            "input_tokens":10,"output_tokens":20,"model":"claude-sonnet-4"},
           {"agent_type":"gemini","agent_name":"Bob","content":%s,"timestamp":"2026-11-28T15:02:00Z"}]}
        """.formatted(conversation, secondContent);
  }

  @Test
  void anUploadIsAllOrNothingAndHarmlessToRepeat() {
    HttpResponse<String> bad = server.post("/api/sessions/upload", ADMIN_KEY, "application/json",
        upload("ap-past", "null"));
    assertProblem(bad, 400, "nothing was stored");
    JsonNode problem = json(bad.body());
    assertThat(problem.get("error").stringValue()).isEqualTo("Invalid session format");
    assertThat(problem.get("problems").valueStream().map(p -> p.get("path").stringValue()).toList())
        .containsExactly("messages[1].content");
    assertThat(server.get("/api/v1/runs/ap-past", ADMIN_KEY).statusCode()).isEqualTo(404);
    assertThat(json(server.get("/api/v1/events?runId=ap-past", ADMIN_KEY).body()).get("events")).isEmpty();

    HttpResponse<String> good = server.post("/api/sessions/upload", ADMIN_KEY, "application/json",
        upload("ap-past", "\"Second.\""));
    assertThat(good.statusCode()).as(good.body()).isEqualTo(201);
    JsonNode answer = json(good.body());
    assertThat(answer.get("conversation_id").stringValue()).isEqualTo("ap-past");
    assertThat(answer.get("message_count").intValue()).isEqualTo(2);
    assertThat(answer.get("agent_count").intValue()).isEqualTo(2);
    assertThat(answer.get("duplicates").intValue()).isZero();

    JsonNode again = json(server.post("/api/sessions/upload", ADMIN_KEY, "application/json",
        upload("ap-past", "\"Second.\"")).body());
    assertThat(again.get("accepted").intValue()).isZero();
    assertThat(again.get("duplicates").intValue()).isEqualTo(answer.get("accepted").intValue());

    JsonNode run = eventually("/api/v1/runs/ap-past", n -> "completed".equals(n.get("status").stringValue()));
    assertThat(run.get("totals").get("messages").asLong()).isEqualTo(2);
    assertThat(run.get("totals").get("outputTokens").asLong()).isEqualTo(20);
    assertThat(run.get("participants").has("claude")).isTrue();
  }

  @Test
  void theLiveStreamDeliversAConversationInAgentPipesShape() throws Exception {
    try (SseClient stream = SseClient.open(server.http, server.uri("/api/realtime/stream?conversationId=ap-sse"),
        ADMIN_KEY, null);
        SseClient browser = SseClient.open(server.http,
            server.uri("/api/realtime/stream?conversationId=ap-sse&access_token=" + ADMIN_KEY), null, null)) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(browser.status()).isEqualTo(200);
      JsonNode connected = json(stream.next(10).data());
      assertThat(connected.get("type").stringValue()).isEqualTo("connected");
      assertThat(connected.get("message").stringValue()).isEqualTo("Subscribed to conversation ap-sse");

      bridge(started("ap-other"));
      bridge(started("ap-sse"));
      bridge(message("ap-sse", 1, "alice", "Hello room"));
      bridge(completed("ap-sse", "completed"));

      List<String> types = new java.util.ArrayList<>();
      JsonNode message = null;
      while (types.size() < 3) {
        SseClient.Message m = stream.next(10);
        assertThat(m.event()).isEqualTo("message");
        assertThat(m.id()).startsWith("aw1.");
        JsonNode e = json(m.data());
        assertThat(e.get("data").get("conversation_id").stringValue()).isEqualTo("ap-sse");
        types.add(e.get("type").stringValue());
        if (e.get("type").stringValue().equals("message.created")) {
          message = e;
        }
      }
      assertThat(types).containsExactly("conversation.started", "message.created", "conversation.completed");
      assertThat(message.get("timestamp").stringValue()).isEqualTo("2026-11-28T16:00:01Z");
      assertThat(message.get("data").get("content").stringValue()).isEqualTo("Hello room");
      assertThat(message.get("data").get("input_tokens").intValue()).isEqualTo(100);
      assertThat(json(browser.next(10).data()).get("type").stringValue()).isEqualTo("connected");
      assertThat(json(browser.next(10).data()).get("type").stringValue()).isEqualTo("conversation.started");
    }
  }

  @Test
  void badInputGetsPrecise400s() {
    assertProblem(bridge("not json"), 400, "not valid JSON");
    assertProblem(server.post("/api/ingest", ADMIN_KEY, "application/json", ""), 400, "an AgentPipe event");
    assertProblem(bridge("[1]"), 400, "JSON object");
    HttpResponse<String> r = bridge("""
        {"type":"message.created","timestamp":"2026-11-28T16:00:00Z","data":{"conversation_id":"c",
         "agent_type":"claude"}}""");
    assertProblem(r, 400, "data.content is required");
    assertThat(json(r.body()).get("error").stringValue()).isEqualTo("Invalid event format");
    assertProblem(bridge("{\"type\":\"hello\",\"timestamp\":\"2026-11-28T16:00:00Z\",\"data\":{}}"), 400,
        "type must be one of");
    assertProblem(server.post("/api/sessions/upload", ADMIN_KEY, "application/json", "{}"), 400,
        "3 problem(s)");
  }

  @Test
  void keysAndScopesGuardEveryEndpoint() {
    assertProblem(server.post("/api/ingest", null, "application/json", started("ap-x")), 401, "API key is required");
    assertProblem(server.post("/api/sessions/upload", "aw_wrong", "application/json", "{}"), 401, "unknown");
    assertProblem(server.get("/api/realtime/stream", null), 401, "API key is required");
    String reader = server.newKey("default", "read");
    assertProblem(server.post("/api/ingest", reader, "application/json", started("ap-x")), 403, "ingest");
    String writer = server.newKey("other-tenant", "ingest");
    assertProblem(server.get("/api/realtime/stream?conversationId=ap-x", writer), 403, "read");

    // Another tenant's conversation with the same id is a different run.
    assertThat(server.post("/api/ingest", writer, "application/json", message("ap-live-t", 1, "eve", "secret"))
        .statusCode()).isEqualTo(201);
    assertThat(json(server.get("/api/v1/events?runId=ap-live-t", ADMIN_KEY).body()).get("events")).isEmpty();
  }
}
