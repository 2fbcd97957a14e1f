package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A run ingested over HTTP with a routing loop, a stuck task and a foreign completion: the alerts
 * appear in {@code /api/v1/alerts} and on the SSE and WebSocket streams; the graph and metrics
 * endpoints answer; acknowledgements are recorded; bad input gets 400 and tenants stay apart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsEndToEndTest {

  private static final String RUN = "e2e-run";
  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  @TempDir
  static Path data;
  TestServer server;
  String readKey;

  @BeforeAll
  void start() throws Exception {
    long started = System.nanoTime();
    server = TestServer.start(data, "--agentwatch.analytics.tick=0");
    System.out.printf("server up after %d ms%n", (System.nanoTime() - started) / 1_000_000);
    readKey = server.newKey("default", "read");
    try (SseClient sse = SseClient.open(server.http, server.uri("/api/v1/stream?type=alert.*"), ADMIN_KEY, null);
         TestSocket ws = server.socket(ADMIN_KEY)) {
      ws.send(Map.of("op", "subscribe", "id", "alerts", "filter", Map.of("types", List.of("alert.*"))));
      ws.next("subscribed", 10);
      Thread.sleep(300);
      ingest(ADMIN_KEY, scenario());
      Set<String> sseDetectors = new HashSet<>();
      Set<String> wsDetectors = new HashSet<>();
      while (sseDetectors.size() < 3) {
        SseClient.Message m = sse.next(20);
        if (m.event().equals("alert.raised")) {
          sseDetectors.add(json(m.data()).get("data").get("detector").stringValue());
        }
      }
      while (wsDetectors.size() < 3) {
        JsonNode frame = ws.next("event", 20);
        wsDetectors.add(frame.get("event").get("data").get("detector").stringValue());
      }
      assertThat(sseDetectors).containsExactlyInAnyOrder("routing_loop", "stuck_task", "inconsistent_agent");
      assertThat(wsDetectors).isEqualTo(sseDetectors);
    }
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private static String scenario() {
    List<ObjectNode> events = new ArrayList<>();
    int[] seq = {0};
    java.util.function.BiConsumer<Integer, Object[]> add = (second, spec) -> {
      Map<String, Object> d = new java.util.LinkedHashMap<>();
      for (int i = 3; i < spec.length; i += 2) {
        d.put((String) spec[i], spec[i + 1]);
      }
      events.add(Envelopes.at(T0.plusSeconds(second).toString(), "e2e-" + (seq[0]++), (String) spec[0],
          (String) spec[1], (String) spec[2], d));
    };
    add.accept(0, new Object[] {"agent.registered", "manager", RUN, "role", "manager"});
    add.accept(0, new Object[] {"task.assigned", "manager", RUN, "taskId", "slow", "assignee", "worker-1"});
    add.accept(1, new Object[] {"task.started", "worker-1", RUN, "taskId", "slow"});
    for (int round = 0; round < 3; round++) {
      int t = 10 + round * 6;
      add.accept(t, new Object[] {"message.sent", "router-a", RUN, "to", "router-b", "content", "yours"});
      add.accept(t + 2, new Object[] {"message.sent", "router-b", RUN, "to", "router-c", "content", "yours"});
      add.accept(t + 4, new Object[] {"message.sent", "router-c", RUN, "to", "router-a", "content", "yours"});
    }
    add.accept(40, new Object[] {"task.assigned", "manager", RUN, "taskId", "t2", "assignee", "worker-2"});
    add.accept(45, new Object[] {"task.completed", "worker-3", RUN, "taskId", "t2", "result", "mine"});
    add.accept(400, new Object[] {"log", "manager", RUN, "level", "info", "message", "still waiting"});
    return Envelopes.array(events);
  }

  private void ingest(String key, String body) {
    HttpResponse<String> r = server.post("/api/v1/events", key, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).get("rejected")).isEmpty();
  }

  private JsonNode get(String path, String key) {
    HttpResponse<String> r = server.get(path, key);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json(r.body());
  }

  private List<JsonNode> alerts(String query) {
    return get("/api/v1/alerts?" + query, readKey).get("alerts").valueStream().toList();
  }

  @Test
  void theScenariosAlertsAreListedWithTheirEvidenceAndFilters() {
    List<JsonNode> all = alerts("runId=" + RUN);
    assertThat(all).extracting(a -> a.get("detector").stringValue())
        .containsExactlyInAnyOrder("routing_loop", "stuck_task", "inconsistent_agent");
    JsonNode loop = alerts("runId=" + RUN + "&detector=routing_loop").getFirst();
    assertThat(loop.get("state").stringValue()).as("the last event, minutes later, let the loop cool down")
        .isEqualTo("resolved");
    assertThat(loop.get("resolution").stringValue()).startsWith("the loop stopped");
    assertThat(loop.get("severity").stringValue()).isEqualTo("critical");
    assertThat(loop.get("agents").valueStream().map(JsonNode::stringValue)).containsExactly("router-a", "router-b",
        "router-c");
    assertThat(loop.get("evidence")).hasSize(9);
    assertThat(loop.get("raisedAt").stringValue()).isEqualTo(T0.plusSeconds(26).toString());
    assertThat(loop.get("message").stringValue()).contains("router-a → router-b → router-c → router-a");
    assertThat(loop.get("resolvedAt").stringValue()).isEqualTo(T0.plusSeconds(130).toString());

    JsonNode stuck = alerts("agentId=worker-1").getFirst();
    assertThat(stuck.get("detector").stringValue()).isEqualTo("stuck_task");
    assertThat(stuck.get("raisedAt").stringValue()).isEqualTo(T0.plusSeconds(301).toString());
    assertThat(alerts("state=resolved")).extracting(a -> a.get("detector").stringValue()).containsExactly("routing_loop");
    assertThat(alerts("state=open")).hasSize(2);

    List<JsonNode> first = alerts("runId=" + RUN + "&limit=2");
    String next = get("/api/v1/alerts?runId=" + RUN + "&limit=2", readKey).get("next").stringValue();
    List<JsonNode> rest = alerts("runId=" + RUN + "&limit=2&after=" + next);
    assertThat(first).hasSize(2);
    assertThat(rest).hasSize(1);
    assertThat(get("/api/v1/alerts/" + loop.get("id").stringValue(), readKey).get("detector").stringValue())
        .isEqualTo("routing_loop");
  }

  @Test
  void theAlertsAreEventsInTheHistoryAndClientsCannotForgeThem() {
    JsonNode history = get("/api/v1/events?type=alert.raised&runId=" + RUN, readKey);
    assertThat(history.get("events")).hasSize(3);
    assertThat(history.get("events").get(0).get("agentId").stringValue()).isEqualTo("agentwatch-analytics");

    String forged = Envelopes.array(List.of(Envelopes.event("forged-1", "alert.raised", "mallory", RUN,
        Map.of("detector", "routing_loop"))));
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", forged);
    assertThat(json(r.body()).get("rejected").get(0).get("error").stringValue()).contains("clients may not send it");
  }

  @Test
  void theRunGraphShowsTheAgentsTheirLinksMetricsAndTheLoop() {
    JsonNode graph = get("/api/v1/runs/" + RUN + "/graph", readKey);
    assertThat(graph.get("nodes").valueStream().map(n -> n.get("id").stringValue()))
        .contains("manager", "worker-1", "worker-2", "worker-3", "router-a", "router-b", "router-c");
    assertThat(graph.get("nodes").valueStream().filter(n -> n.get("id").stringValue().equals("manager")).findFirst()
        .orElseThrow().get("role").stringValue()).isEqualTo("manager");
    assertThat(graph.get("edges").valueStream()
        .filter(e -> e.get("from").stringValue().equals("router-a") && e.get("to").stringValue().equals("router-b"))
        .findFirst().orElseThrow().get("count").intValue()).isEqualTo(3);
    assertThat(graph.get("cycles").valueStream().map(c -> c.valueStream().map(JsonNode::stringValue).toList()))
        .contains(List.of("router-a", "router-b", "router-c"));
    assertThat(graph.get("loops")).as("the loop cooled down: the cycle stays, the loop is over").isEmpty();
    JsonNode metrics = graph.get("metrics");
    assertThat(metrics.get("nodes").intValue()).isEqualTo(7);
    assertThat(metrics.has("averagePathLength")).isTrue();
    assertThat(metrics.get("isolatedNodes").valueStream().map(JsonNode::stringValue)).as("it only completed a task")
        .containsExactly("worker-3");
    assertThat(get("/api/v1/graph", readKey).get("nodes")).hasSizeGreaterThanOrEqualTo(7);
  }

  @Test
  void metricsAnswerPerRunAndAgentInMinuteAndHourBuckets() {
    JsonNode minutes = get("/api/v1/metrics?runId=" + RUN + "&bucket=1m", readKey);
    assertThat(minutes.get("bucket").stringValue()).isEqualTo("1m");
    List<JsonNode> points = minutes.get("points").valueStream().toList();
    assertThat(points.getFirst().get("start").stringValue()).isEqualTo(T0.toString());
    assertThat(points.getFirst().get("events").intValue()).isEqualTo(14);
    assertThat(points.stream().mapToLong(p -> p.get("events").longValue()).sum()).isEqualTo(15);
    JsonNode hour = get("/api/v1/metrics?runId=" + RUN + "&agentId=router-a&bucket=1h", readKey);
    assertThat(hour.get("points").get(0).get("events").intValue()).isEqualTo(3);
    assertThat(get("/api/v1/metrics?agentId=nobody", readKey).get("points")).isEmpty();
  }

  @Test
  void anAdminAcknowledgesAnAlertOnceAndTheAcknowledgementIsAnEvent() {
    String id = alerts("detector=inconsistent_agent").getFirst().get("id").stringValue();
    HttpResponse<String> denied = server.post("/api/v1/alerts/" + id + "/ack", readKey, "application/json", "{}");
    assertThat(denied.statusCode()).isEqualTo(403);

    HttpResponse<String> ack = server.post("/api/v1/alerts/" + id + "/ack", ADMIN_KEY, "application/json",
        "{\"note\":\"worker-3 was told off\"}");
    assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
    JsonNode acked = json(ack.body());
    assertThat(acked.get("acknowledgedAt").isNull()).isFalse();
    assertThat(acked.get("acknowledgedBy").isNull()).isFalse();
    HttpResponse<String> again = server.post("/api/v1/alerts/" + id + "/ack", ADMIN_KEY, null, "");
    assertThat(json(again.body()).get("acknowledgedAt")).isEqualTo(acked.get("acknowledgedAt"));
    assertThat(get("/api/v1/events?type=alert.acknowledged", readKey).get("events")).hasSize(1);
  }

  @Test
  void badParametersGetPreciseProblems() {
    Map<String, String> bad = Map.of(
        "/api/v1/alerts?detector=gremlins", "detector must be one of",
        "/api/v1/alerts?state=maybe", "state must be open or resolved",
        "/api/v1/alerts?after=garbage", "after must be the 'next' token",
        "/api/v1/alerts?limit=0", "limit must be 1..1000",
        "/api/v1/metrics?bucket=5m", "bucket must be 1m or 1h",
        "/api/v1/metrics?from=yesterday", "from must be an RFC 3339 timestamp",
        "/api/v1/metrics?from=2026-11-28T17:00:00Z&to=2026-11-28T16:00:00Z", "from must be before to");
    bad.forEach((path, detail) -> {
      HttpResponse<String> r = server.get(path, readKey);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(json(r.body()).get("detail").stringValue()).as(path).contains(detail);
    });
    assertThat(server.get("/api/v1/runs/no-such-run/graph", readKey).statusCode()).isEqualTo(404);
    assertThat(server.post("/api/v1/alerts/alert-nope/ack", ADMIN_KEY, "application/json", "{}").statusCode())
        .isEqualTo(404);
    String id = alerts("detector=stuck_task").getFirst().get("id").stringValue();
    for (String body : List.of("not json", "[1]", "{\"note\":5}", "{\"reason\":\"x\"}",
        "{\"note\":\"" + "x".repeat(1001) + "\"}")) {
      HttpResponse<String> r = server.post("/api/v1/alerts/" + id + "/ack", ADMIN_KEY, "application/json", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
    }
    assertThat(server.get("/api/v1/alerts", null).statusCode()).isEqualTo(401);
  }

  @Test
  void anotherTenantSeesNoneOfTheseAlertsAndCannotAcknowledgeThem() {
    String other = server.newKey("other-tenant", "read", "admin", "ingest");
    String id = alerts("detector=routing_loop").getFirst().get("id").stringValue();
    assertThat(get("/api/v1/alerts", other).get("alerts")).isEmpty();
    assertThat(server.get("/api/v1/runs/" + RUN + "/graph", other).statusCode()).isEqualTo(404);
    assertThat(server.post("/api/v1/alerts/" + id + "/ack", other, "application/json", "{}").statusCode())
        .isEqualTo(404);
    assertThat(get("/api/v1/metrics?runId=" + RUN, other).get("points")).isEmpty();
  }
}
