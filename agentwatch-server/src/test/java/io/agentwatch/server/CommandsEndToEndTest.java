package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.array;
import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/v1/agents/{id}/commands}: recorded, delivered over the agent's socket, answered. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommandsEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;
  String agentKey;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
    agentKey = server.newKey("default", "ingest", "read");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> command(String key, String agentId, String body) {
    return server.post("/api/v1/agents/" + agentId + "/commands", key, "application/json", body);
  }

  /** An agent's connection that said hello and got its welcome. */
  private TestSocket agent(String key, String agentId) {
    TestSocket socket = server.socket(key);
    socket.send(Map.of("op", "hello", "agentId", agentId));
    assertThat(socket.next("welcome", 15).get("agentId").stringValue()).isEqualTo(agentId);
    return socket;
  }

  private void acknowledge(TestSocket socket, String agentId, String commandId, String outcome) {
    socket.send(Map.of("op", "publish", "events", List.of(Map.of(
        "id", "ack-" + commandId, "type", "command.acknowledged", "agentId", agentId, "parentId", commandId,
        "ts", Instant.now().toString(), "data", Map.of("commandId", commandId, "outcome", outcome)))));
    assertThat(socket.next("ack", 15).get("ids")).hasSize(1);
  }

  private JsonNode commands(String agentId) {
    HttpResponse<String> r = server.get("/api/v1/agents/" + agentId + "/commands", ADMIN_KEY);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r.body()).get("commands");
  }

  @Test
  void aCommandReachesTheConnectedAgentIsRecordedAndShowsItsAnswer() {
    try (TestSocket worker = agent(agentKey, "worker-cmd")) {
      HttpResponse<String> issued = command(ADMIN_KEY, "worker-cmd", "{\"type\":\"pause\",\"reason\":\"too many retries\"}");
      assertThat(issued.statusCode()).as(issued.body()).isEqualTo(202);
      JsonNode answer = json(issued.body());
      assertThat(answer.get("agentConnected").booleanValue()).isTrue();
      String id = answer.get("commandId").stringValue();

      JsonNode frame = worker.next("command", 15).get("command");
      assertThat(frame.get("id").stringValue()).isEqualTo(id);
      assertThat(frame.get("type").stringValue()).isEqualTo("pause");
      assertThat(frame.get("reason").stringValue()).isEqualTo("too many retries");
      assertThat(commands("worker-cmd").get(0).get("state").stringValue()).isEqualTo("pending");

      acknowledge(worker, "worker-cmd", id, "applied");
      TestServer.await("the answer to show", 15,
          () -> commands("worker-cmd").get(0).get("state").stringValue().equals("applied"));
    }
    String recorded = server.get("/api/v1/events?agentId=worker-cmd&type=command.*", ADMIN_KEY).body();
    assertThat(json(recorded).get("events")).extracting(e -> e.get("type").stringValue())
        .containsExactly("command.issued", "command.acknowledged");
  }

  @Test
  void anAgentThatConnectsLaterGetsWhatItHasNotAnsweredAndNothingElse() {
    HttpResponse<String> r = server.post("/api/v1/events", agentKey, "application/json",
        array(List.of(event("late-1", "agent.registered", "worker-late", null, Map.of("role", "worker")))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    HttpResponse<String> issued = command(ADMIN_KEY, "worker-late", "{\"type\":\"cancel\",\"taskId\":\"t9\"}");
    assertThat(json(issued.body()).get("agentConnected").booleanValue()).isFalse();
    String id = json(issued.body()).get("commandId").stringValue();

    try (TestSocket first = agent(agentKey, "worker-late")) {
      JsonNode pending = first.next("command", 15).get("command");
      assertThat(pending.get("id").stringValue()).isEqualTo(id);
      assertThat(pending.get("taskId").stringValue()).isEqualTo("t9");
      acknowledge(first, "worker-late", id, "applied");
    }
    try (TestSocket second = agent(agentKey, "worker-late")) {
      second.send(Map.of("op", "ping"));
      assertThat(second.next(5).get("op").stringValue()).as("no command is sent again once answered")
          .isEqualTo("pong");
    }
  }

  @Test
  void aRetriedCommandWithItsOwnIdIsOneCommand() {
    try (TestSocket worker = agent(agentKey, "worker-retry")) {
      String body = "{\"id\":\"cmd-fixed-1\",\"type\":\"quarantine\",\"reason\":\"leaks secrets\"}";
      assertThat(command(ADMIN_KEY, "worker-retry", body).statusCode()).isEqualTo(202);
      HttpResponse<String> again = command(ADMIN_KEY, "worker-retry", body);
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(json(again.body()).get("duplicate").booleanValue()).isTrue();

      assertThat(worker.next("command", 15).get("command").get("id").stringValue()).isEqualTo("cmd-fixed-1");
      worker.send(Map.of("op", "ping"));
      assertThat(worker.next(5).get("op").stringValue()).as("delivered once").isEqualTo("pong");
    }
  }

  @Test
  void commandsStayInsideTheirTenant() {
    String otherAdmin = server.newKey("other", "admin", "ingest", "read");
    try (TestSocket sameNameElsewhere = agent(otherAdmin, "worker-walled");
        TestSocket worker = agent(agentKey, "worker-walled")) {
      assertThat(command(ADMIN_KEY, "worker-walled", "{\"type\":\"resume\"}").statusCode()).isEqualTo(202);
      assertThat(worker.next("command", 15).get("command").get("type").stringValue()).isEqualTo("resume");
      sameNameElsewhere.send(Map.of("op", "ping"));
      assertThat(sameNameElsewhere.next(5).get("op").stringValue()).isEqualTo("pong");
    }
    assertProblem(command(otherAdmin, "worker-cmd", "{\"type\":\"pause\"}"), 404, "no agent 'worker-cmd'");
  }

  @Test
  void badCommandsAreRefusedPrecisely() {
    try (TestSocket ignored = agent(agentKey, "worker-bad")) {
      assertProblem(command(agentKey, "worker-bad", "{\"type\":\"pause\"}"), 403, "admin");
      assertProblem(command(ADMIN_KEY, "worker-bad", "{\"type\":\"explode\"}"), 400, "pause, resume, cancel, quarantine");
      assertProblem(command(ADMIN_KEY, "worker-bad", "[1]"), 400, "body must be");
      assertProblem(command(ADMIN_KEY, "worker-bad", "{\"type\":\"pause\",\"reason\":7}"), 400, "reason must be");
      assertProblem(command(ADMIN_KEY, "worker-bad", "{\"type\":\"pause\",\"id\":\"no spaces\"}"), 400, "id must be");
      assertProblem(command(null, "worker-bad", "{\"type\":\"pause\"}"), 401, "API key");
    }
    assertProblem(command(ADMIN_KEY, "nobody-at-all", "{\"type\":\"pause\"}"), 404, "no agent");

    HttpResponse<String> forged = server.post("/api/v1/events", agentKey, "application/json", array(List.of(
        event("forged-1", "command.issued", "worker-bad", null, Map.of("type", "pause")))));
    assertThat(forged.statusCode()).isEqualTo(422);
    assertThat(forged.body()).contains("clients may not send it");
  }
}
