package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint that takes JSON reads a JSON body whatever Content-Type came with it (curl's
 * {@code -d} declares a form), and answers a body that is not JSON under another type with 415
 * naming the type to send.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JsonBodyEndToEndTest {

  private static final String FORM = "application/x-www-form-urlencoded";

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.webhook.allow-private=true");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void anAlertIsAcknowledgedWithANoteSentAsCurlSendsIt() {
    HttpResponse<String> ingested = server.post("/api/v1/events", ADMIN_KEY, FORM, Envelopes.array(List.of(
        event("jb-1", "task.assigned", "manager-1", "run-jb", Map.of("taskId", "t1", "assignee", "worker-1")),
        event("jb-2", "task.completed", "worker-2", "run-jb", Map.of("taskId", "t1")))));
    assertThat(ingested.statusCode()).as(ingested.body()).isEqualTo(200);
    String[] alertId = new String[1];
    TestServer.await("the analytics to raise an alert for run-jb", 10, () -> {
      JsonNode alerts = json(server.get("/api/v1/alerts?runId=run-jb", ADMIN_KEY).body()).get("alerts");
      alertId[0] = alerts.isEmpty() ? null : alerts.get(0).get("id").stringValue();
      return alertId[0] != null;
    });

    HttpResponse<String> ack = server.post("/api/v1/alerts/" + alertId[0] + "/ack", ADMIN_KEY, FORM,
        "{\"note\":\"on it\"}");

    assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
    assertThat(json(ack.body()).get("acknowledgedAt").isNull()).isFalse();
  }

  @Test
  void aJsonBodyIsReadUnderAFormTextOrMissingContentType() {
    for (String type : new String[] {FORM, "text/plain", null}) {
      HttpResponse<String> key = server.post("/api/v1/keys", ADMIN_KEY, type,
          "{\"tenant\":\"acme\",\"scopes\":[\"read\"],\"name\":\"typed " + type + "\"}");
      assertThat(key.statusCode()).as(type + ": " + key.body()).isEqualTo(201);
      assertThat(json(key.body()).get("key").stringValue()).startsWith("aw_");
    }
  }

  @Test
  void everyJsonEndpointTakesAFormDeclaredJsonBody() {
    HttpResponse<String> webhook = server.post("/api/v1/webhooks", ADMIN_KEY, FORM,
        "{\"url\":\"http://127.0.0.1:9/hook\",\"types\":[\"nothing.matches\"]}");
    assertThat(webhook.statusCode()).as(webhook.body()).isEqualTo(201);

    assertThat(server.post("/api/v1/events", ADMIN_KEY, FORM, Envelopes.array(List.of(
        event("jb-w9", "agent.registered", "worker-9", null, Map.of("role", "worker"))))).statusCode()).isEqualTo(200);
    HttpResponse<String> command = server.post("/api/v1/agents/worker-9/commands", ADMIN_KEY, FORM,
        "{\"type\":\"pause\",\"reason\":\"looping\"}");
    assertThat(command.statusCode()).as(command.body()).isEqualTo(202);

    HttpResponse<String> session = server.post("/api/v1/sessions", ADMIN_KEY, FORM,
        "{\"runId\":\"run-form\",\"events\":[" + event("jb-s1", "task.created", "manager-1", null,
            Map.of("taskId", "t1")) + "]}");
    assertThat(session.statusCode()).as(session.body()).isEqualTo(201);

    HttpResponse<String> run = server.get("/api/v1/runs/run-form", ADMIN_KEY);
    String etag = run.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> patched = server.send(HttpRequest.newBuilder(server.uri("/api/v1/runs/run-form"))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + ADMIN_KEY)
        .header("Content-Type", FORM).header("If-Match", etag)
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"title\":\"from a form\"}")).build());
    assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
    assertThat(json(patched.body()).get("title").stringValue()).isEqualTo("from a form");
  }

  @Test
  void aKeyInTheQueryStringLeavesAFormDeclaredBodyIntact() {
    HttpResponse<String> key = server.post("/api/v1/keys?access_token=" + ADMIN_KEY, null, FORM,
        "{\"tenant\":\"acme\",\"scopes\":[\"read\"],\"name\":\"query key\"}");

    assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
  }

  @Test
  void aBodyThatIsNotJsonUnderAnotherTypeGets415NamingTheTypeToSend() {
    HttpResponse<String> form = server.post("/api/v1/keys", ADMIN_KEY, FORM, "tenant=acme&scopes=read");
    assertProblem(form, 415, "Content-Type: application/json");
    assertThat(json(form.body()).get("expected").toString()).isEqualTo("[\"application/json\"]");

    HttpResponse<String> events = server.post("/api/v1/events", ADMIN_KEY, "text/plain",
        "{\"id\":\"a\"}\n{\"id\":\"b\"}\n");
    assertProblem(events, 415, "application/x-ndjson");

    assertProblem(server.post("/api/v1/alerts/nope/ack", ADMIN_KEY, null, "note=on it"), 415, "application/json");
  }

  @Test
  void aBodyDeclaredAsJsonButMalformedStillGetsAPrecise400() {
    assertProblem(server.post("/api/v1/keys", ADMIN_KEY, "application/json", "{\"tenant\":"), 400, "");
    assertProblem(server.post("/api/v1/events", ADMIN_KEY, "application/json", "[{"), 400, "not valid JSON");
  }

  @Test
  void ndjsonStillIngestsLineByLine() {
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/x-ndjson",
        event("jb-n1", "log", "worker-1", "run-nd", Map.of("level", "info", "message", "one")) + "\n"
            + event("jb-n2", "log", "worker-1", "run-nd", Map.of("level", "info", "message", "two")) + "\n");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).get("accepted").intValue()).isEqualTo(2);
  }
}
