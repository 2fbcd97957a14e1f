package io.agentwatch.server;

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
 * {@code /api/v1/budgets} and {@code /api/v1/policies} through the real server: created, read with
 * their use and actions, changed and deleted as events in the log; and every bad, contradictory or
 * self-reacting definition answered with a 400 naming the field, nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BudgetsAndPoliciesEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;
  String readKey;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.analytics.tick=0");
    readKey = server.newKey("default", "read", "ingest");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> post(String path, String key, String body) {
    return server.post(path, key, "application/json", body);
  }

  private HttpResponse<String> patch(String path, String key, String body) {
    return server.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private JsonNode get(String path, String key) {
    HttpResponse<String> r = server.get(path, key);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json(r.body());
  }

  private int stored(String types) {
    return get("/api/v1/events?limit=1000&type=" + types, ADMIN_KEY).get("events").size();
  }

  @Test
  void aBudgetIsCreatedReadWithItsUseAndDeleted() {
    HttpResponse<String> created = post("/api/v1/budgets", ADMIN_KEY,
        "{\"id\":\"tokens-per-agent\",\"metric\":\"tokens\",\"limit\":200000,\"per\":\"agent\",\"window\":\"1h\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    assertThat(json(created.body()).get("warnAt").doubleValue()).isEqualTo(0.8);
    assertThat(json(created.body()).get("title").stringValue()).isEqualTo("200,000 tokens per agent per 1h");

    HttpResponse<String> r = post("/api/v1/events", readKey, Envelopes.array(List.of(
        Envelopes.event("spend-1", "llm.call", "writer", "budget-run", Map.of("model", "m", "inputTokens", 120000,
            "outputTokens", 50000)))));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    TestServer.await("the spend counted", 10,
        () -> !get("/api/v1/budgets/tokens-per-agent", readKey).get("usage").isEmpty());
    JsonNode budget = get("/api/v1/budgets/tokens-per-agent", readKey);
    assertThat(budget.get("usage")).singleElement().satisfies(u -> {
      assertThat(u.get("subject").stringValue()).isEqualTo("writer");
      assertThat(u.get("spend").doubleValue()).isEqualTo(170000);
      assertThat(u.get("state").stringValue()).isEqualTo("warning");
    });
    assertThat(get("/api/v1/budgets", readKey).get("budgets").valueStream().map(b -> b.get("id").stringValue()))
        .contains("tokens-per-agent");
    assertProblem(post("/api/v1/budgets", ADMIN_KEY,
        "{\"id\":\"tokens-per-agent\",\"metric\":\"tokens\",\"limit\":1,\"per\":\"run\"}"), 409, "exists");

    assertThat(server.delete("/api/v1/budgets/tokens-per-agent", ADMIN_KEY).statusCode()).isEqualTo(204);
    assertThat(server.get("/api/v1/budgets/tokens-per-agent", readKey).statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/events?type=budget.*", ADMIN_KEY).get("events").valueStream()
        .map(e -> e.get("type").stringValue())).containsExactly("budget.set", "budget.deleted");
  }

  @Test
  void aPolicyIsCreatedChangedAndDeletedAsEventsOfTheLog() {
    HttpResponse<String> created = post("/api/v1/policies", ADMIN_KEY,
        "{\"id\":\"crud\",\"match\":{\"detectors\":[\"routing_loop\"],\"severity\":\"critical\"},\"action\":\"pause\"}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    JsonNode p = json(created.body());
    assertThat(p.get("mode").stringValue()).as("dry-run unless asked").isEqualTo("dry-run");
    assertThat(p.get("state").stringValue()).isEqualTo("active");
    assertThat(p.get("version").intValue()).isEqualTo(1);

    HttpResponse<String> changed = patch("/api/v1/policies/crud", ADMIN_KEY, "{\"mode\":\"enforce\",\"cooldown\":\"1m\"}");
    assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
    assertThat(json(changed.body()).get("mode").stringValue()).isEqualTo("enforce");
    assertThat(json(changed.body()).get("version").intValue()).isEqualTo(2);
    assertThat(get("/api/v1/policies/crud", readKey).get("cooldown").stringValue()).isEqualTo("1m");

    assertThat(server.delete("/api/v1/policies/crud", ADMIN_KEY).statusCode()).isEqualTo(204);
    assertThat(server.get("/api/v1/policies/crud", readKey).statusCode()).isEqualTo(404);
    assertThat(server.delete("/api/v1/policies/crud", ADMIN_KEY).statusCode()).isEqualTo(404);
  }

  @Test
  void badOrContradictoryBudgetsGetA400NamingTheFieldAndNothingIsStored() {
    int before = stored("budget.*");
    Map<String, String> bad = Map.of(
        "{\"metric\":\"costUsd\",\"limit\":-5,\"per\":\"run\"}", "limit",
        "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"tenant\",\"agentId\":\"w1\"}", "agentId",
        "{\"metric\":\"euros\",\"limit\":5,\"per\":\"run\"}", "metric",
        "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"warnAt\":2}", "warnAt",
        "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"window\":\"forever\"}", "window",
        "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"extra\":1}", "extra",
        "not json", "body",
        "[1,2]", "body");
    bad.forEach((body, field) -> {
      HttpResponse<String> r = post("/api/v1/budgets", ADMIN_KEY, body);
      assertProblem(r, 400, field);
      assertThat(json(r.body()).get("field").stringValue()).as(body).isEqualTo(field);
    });
    assertProblem(post("/api/v1/budgets", ADMIN_KEY, "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\",\"name\":\""
        + "x".repeat(70_000) + "\"}"), 413, "at most");
    assertProblem(post("/api/v1/budgets", readKey, "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\"}"), 403, "admin");
    assertProblem(post("/api/v1/budgets", null, "{}"), 401, "API key");
    assertProblem(server.delete("/api/v1/budgets/nope", ADMIN_KEY), 404, "no budget 'nope'");
    assertThat(stored("budget.*")).as("nothing stored").isEqualTo(before);
  }

  @Test
  void badEmptyOrSelfReactingPoliciesGetA400NamingTheFieldAndNothingIsStored() {
    int before = stored("policy.*");
    Map<String, String> bad = Map.of(
        "{\"match\":{\"detectors\":[\"gremlins\"]},\"action\":\"pause\"}", "match.detectors[0]",
        "{\"match\":{\"detectors\":[]},\"action\":\"pause\"}", "match.detectors",
        "{\"action\":\"pause\",\"mode\":\"enforce\"}", "match",
        "{\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"pause\",\"mode\":\"enforce\"}", "match.detectors",
        "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"cooldown\":\"-3s\"}", "cooldown",
        "{\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"reboot\"}", "action");
    bad.forEach((body, field) -> {
      HttpResponse<String> r = post("/api/v1/policies", ADMIN_KEY, body);
      assertProblem(r, 400, field);
      assertThat(json(r.body()).get("field").stringValue()).as(body).isEqualTo(field);
    });
    assertProblem(post("/api/v1/policies", ADMIN_KEY,
        "{\"match\":{\"detectors\":[\"stuck_task\"]},\"action\":\"pause\",\"mode\":\"enforce\"}"), 400,
        "would react to its own commands: pause can cause stuck_task");

    // Two policies that would react to each other's commands: the second is refused.
    assertThat(post("/api/v1/policies", ADMIN_KEY, "{\"id\":\"cancel-stuck\",\"match\":{\"detectors\":[\"stuck_task\"]},"
        + "\"action\":\"cancel\",\"mode\":\"enforce\"}").statusCode()).isEqualTo(201);
    assertProblem(post("/api/v1/policies", ADMIN_KEY, "{\"id\":\"pause-anomalies\",\"match\":{\"detectors\":[\"anomaly\"]},"
        + "\"action\":\"pause\",\"mode\":\"enforce\"}"), 400, "would react to each other's commands");
    assertThat(post("/api/v1/policies", ADMIN_KEY, "{\"id\":\"pause-anomalies\",\"match\":{\"detectors\":[\"anomaly\"]},"
        + "\"action\":\"pause\"}").statusCode()).as("in dry-run it commands nobody").isEqualTo(201);
    assertProblem(patch("/api/v1/policies/pause-anomalies", ADMIN_KEY, "{\"mode\":\"enforce\"}"), 400,
        "would react to each other's commands");
    assertProblem(patch("/api/v1/policies/pause-anomalies", ADMIN_KEY, "{\"id\":\"other\"}"), 400, "cannot be changed");
    assertProblem(patch("/api/v1/policies/nope", ADMIN_KEY, "{\"mode\":\"enforce\"}"), 404, "no policy 'nope'");
    assertProblem(post("/api/v1/policies", readKey, "{}"), 403, "admin");
    assertThat(stored("policy.*")).as("only the two accepted").isEqualTo(before + 2);
    assertThat(get("/api/v1/policies/pause-anomalies", readKey).get("mode").stringValue()).isEqualTo("dry-run");
    assertThat(server.delete("/api/v1/policies/cancel-stuck", ADMIN_KEY).statusCode()).isEqualTo(204);
    assertThat(server.delete("/api/v1/policies/pause-anomalies", ADMIN_KEY).statusCode()).isEqualTo(204);
  }

  @Test
  void clientsCannotForgeBudgetsPoliciesOrTheirMatches() {
    for (String type : List.of("budget.set", "policy.set", "policy.matched", "policy.deleted")) {
      HttpResponse<String> r = post("/api/v1/events", readKey, Envelopes.array(List.of(
          Envelopes.event("forged-" + type, type, "mallory", null, Map.of("policy", Map.of())))));
      assertThat(json(r.body()).get("rejected").get(0).get("error").stringValue()).as(type)
          .contains("clients may not send it");
    }
  }
}
