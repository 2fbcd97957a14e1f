package io.agentwatch.server.cluster;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.Envelopes;
import io.agentwatch.server.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/v1/metrics} with {@code agentwatch.store=postgres}: the rollup tables every node
 * reads, kept in the append transactions. Events acknowledged by one node are counted, exactly,
 * in the other's answer at once; a node started afterwards answers the same without replaying
 * anything; tenants stay apart; bad parameters get 400.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresMetricsEndToEndTest {

  private static final String SCHEMA = "metrics_nodes";
  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  @TempDir
  static Path dir;
  TestPostgres postgres;
  TestServer a;
  TestServer b;

  @BeforeAll
  void start() {
    postgres = TestPostgres.start(dir.resolve("pg"));
    a = TestServer.start(dir.resolve("a"), postgres.nodeArgs(SCHEMA));
    b = TestServer.start(dir.resolve("b"), postgres.nodeArgs(SCHEMA));
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, postgres}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }
  }

  /** Two minutes of a run: model calls with tokens and cost, one error, one task of 90 s. */
  private static String runOf(String run) {
    List<Object> events = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      events.add(Envelopes.at(T0.plusSeconds(i * 20L).toString(), run + "-llm-" + i, "llm.call", "writer", run,
          Map.of("model", "m1", "inputTokens", 100, "outputTokens", 10 * i, "costUsd", 0.25)));
    }
    events.add(Envelopes.at(T0.plusSeconds(5).toString(), run + "-start", "task.started", "writer", run,
        Map.of("taskId", "t1")));
    events.add(Envelopes.at(T0.plusSeconds(95).toString(), run + "-done", "task.completed", "writer", run,
        Map.of("taskId", "t1", "result", "ok")));
    events.add(Envelopes.at(T0.plusSeconds(100).toString(), run + "-err", "error.occurred", "writer", run,
        Map.of("message", "rate limited")));
    return Envelopes.array(events);
  }

  private static JsonNode metrics(TestServer node, String key, String query) {
    HttpResponse<String> r = node.get("/api/v1/metrics?" + query, key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json(r.body());
  }

  private static void ingest(TestServer node, String key, String body) {
    HttpResponse<String> r = node.post("/api/v1/events", key, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).get("rejected")).isEmpty();
  }

  @Test
  void eventsAcknowledgedByOneNodeAreCountedExactlyInTheOthersAnswerAtOnce() throws Exception {
    ingest(a, ADMIN_KEY, runOf("run-m1"));

    JsonNode minutes = metrics(b, ADMIN_KEY, "runId=run-m1&bucket=1m");
    List<JsonNode> points = minutes.get("points").valueStream().toList();
    assertThat(points).extracting(p -> p.get("start").stringValue())
        .containsExactly(T0.toString(), T0.plusSeconds(60).toString());
    assertThat(points).extracting(p -> p.get("events").longValue()).containsExactly(4L, 5L);
    assertThat(points.stream().mapToLong(p -> p.get("llmCalls").longValue()).sum()).isEqualTo(6);
    assertThat(points.stream().mapToLong(p -> p.get("errors").longValue()).sum()).isEqualTo(1);
    assertThat(points.stream().mapToLong(p -> p.get("tokens").longValue()).sum()).isEqualTo(600 + 150);
    assertThat(points.stream().mapToDouble(p -> p.get("costUsd").doubleValue()).sum()).isEqualTo(1.5);
    assertThat(points.get(1).get("taskP50Ms").doubleValue()).isEqualTo(90_000.0);
    assertThat(metrics(a, ADMIN_KEY, "runId=run-m1&bucket=1m").get("points")).isEqualTo(minutes.get("points"));

    // The same numbers as the rollup table holds.
    try (Connection c = postgres.connect(); PreparedStatement ps = c.prepareStatement(
        "SELECT sum(events), sum(input_tokens + output_tokens) FROM " + SCHEMA + ".rollup_hour"
            + " WHERE tenant = 'default' AND run_id = 'run-m1'")) {
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(9);
        assertThat(rs.getLong(2)).isEqualTo(750);
      }
    }
    JsonNode hour = metrics(b, ADMIN_KEY, "runId=run-m1&agentId=writer&bucket=1h");
    assertThat(hour.get("points")).hasSize(1);
    assertThat(hour.get("points").get(0).get("events").longValue()).isEqualTo(9);
  }

  @Test
  void aNodeStartedAfterwardsAnswersTheSameNumbersWithoutWaiting() {
    ingest(b, ADMIN_KEY, runOf("run-m2"));
    JsonNode before = metrics(a, ADMIN_KEY, "runId=run-m2&bucket=1m");

    try (TestServer late = TestServer.start(dir.resolve("late"), postgres.nodeArgs(SCHEMA))) {
      assertThat(metrics(late, ADMIN_KEY, "runId=run-m2&bucket=1m").get("points")).isEqualTo(before.get("points"));
    }
  }

  @Test
  void tenantsSeeOnlyTheirOwnNumbers() {
    String acme = a.newKey("acme", "ingest", "read");
    String other = a.newKey("other", "read");
    ingest(a, acme, runOf("run-shared-name"));

    assertThat(metrics(b, acme, "runId=run-shared-name").get("points")).hasSize(2);
    assertThat(metrics(b, other, "runId=run-shared-name").get("points")).isEmpty();
  }

  @Test
  void badParametersGetPreciseProblems() {
    Map<String, String> bad = Map.of(
        "bucket=5m", "bucket must be 1m or 1h",
        "from=yesterday", "from must be an RFC 3339 timestamp",
        "from=2026-11-29T11:00:00Z&to=2026-11-29T10:00:00Z", "from must be before to",
        "to=%2B20000-01-01T00:00:00Z", "to must lie within the years 0000 to 9999");
    bad.forEach((query, detail) -> {
      HttpResponse<String> r = b.get("/api/v1/metrics?" + query, ADMIN_KEY);
      assertThat(r.statusCode()).as(query).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(json(r.body()).get("detail").stringValue()).as(query).contains(detail);
    });
    assertThat(b.get("/api/v1/metrics", null).statusCode()).isEqualTo(401);
  }
}
