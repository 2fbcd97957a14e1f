package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.batch;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Graceful shutdown, restart over the same data, and the offline projection rebuild command. */
class LifecycleEndToEndTest {

  @TempDir
  Path data;

  @Test
  void shutdownEndsEverySubscriptionWithAResumableCursorAndRestartContinuesFromIt() throws Exception {
    String resumeFrom;
    try (TestServer server = TestServer.start(data)) {
      server.post("/api/v1/events", ADMIN_KEY, "application/json", batch("before", "life", 3));
      TestSocket ws = server.socket(ADMIN_KEY);
      SseClient sse = SseClient.open(server.http, server.uri("/api/v1/stream?agentId=life&after="
          + json(server.get("/api/v1/events?agentId=life", ADMIN_KEY).body()).get("events").get(0).get("cursor")
              .stringValue()), ADMIN_KEY, null);
      ws.send(Map.of("op", "subscribe", "id", "s", "filter", Map.of("agentId", "life")));
      ws.next("subscribed", 10);
      assertThat(sse.next(10).event()).isEqualTo("log");
      assertThat(sse.next(10).event()).isEqualTo("log");

      Thread closer = Thread.ofVirtual().start(server::close);
      JsonNode gap = ws.next("gap", 20);
      assertThat(gap.get("reason").stringValue()).isEqualTo("shutdown");
      assertThat(ws.closed().get(20, TimeUnit.SECONDS)).isEqualTo(1001);
      SseClient.Message sseGap = sse.next(20);
      assertThat(sseGap.event()).isEqualTo("gap");
      assertThat(json(sseGap.data()).get("reason").stringValue()).isEqualTo("shutdown");
      resumeFrom = sseGap.id();
      closer.join();
      sse.close();
      ws.close();
    }

    try (TestServer again = TestServer.start(data)) {
      again.post("/api/v1/events", ADMIN_KEY, "application/json", batch("after", "life", 2));
      try (SseClient sse = SseClient.open(again.http, again.uri("/api/v1/stream?agentId=life"), ADMIN_KEY,
          resumeFrom)) {
        assertThat(json(sse.next(10).data()).get("id").stringValue()).isEqualTo("after-0");
        assertThat(json(sse.next(10).data()).get("id").stringValue()).isEqualTo("after-1");
      }
      TestServer.await("projections reloaded and caught up", 10, () ->
          json(again.get("/api/v1/agents/life", ADMIN_KEY).body()).get("counters").get("events").asLong() == 5);
    }
  }

  @Test
  void theRebuildCommandRecreatesProjectionsOffline() throws Exception {
    String before;
    try (TestServer server = TestServer.start(data)) {
      server.post("/api/v1/events", ADMIN_KEY, "application/json", batch("cmd", "rebuilt-agent", 7));
      TestServer.await("projected", 10, () -> server.get("/api/v1/agents/rebuilt-agent", ADMIN_KEY).statusCode() == 200
          && json(server.get("/api/v1/agents/rebuilt-agent", ADMIN_KEY).body()).get("counters").get("events")
              .asLong() == 7);
      before = withoutAsOf(server.get("/api/v1/agents/rebuilt-agent", ADMIN_KEY).body());
    }

    // Lose the saved rows but keep their cursor: only a rebuild from the log can bring them back.
    try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("agentwatch.db"));
        var s = db.createStatement()) {
      s.executeUpdate("DELETE FROM projection_rows");
    }
    try (TestServer server = TestServer.start(data)) {
      assertThat(server.get("/api/v1/agents/rebuilt-agent", ADMIN_KEY).statusCode()).isEqualTo(404);
    }

    AgentwatchApplication.main(new String[] {"rebuild-projections", "--agentwatch.data-dir=" + data,
        "--agentwatch.admin-key=" + ADMIN_KEY, "--logging.level.root=WARN"});

    try (TestServer server = TestServer.start(data)) {
      assertThat(withoutAsOf(server.get("/api/v1/agents/rebuilt-agent", ADMIN_KEY).body())).isEqualTo(before);
    }
  }

  private static String withoutAsOf(String json) {
    var node = (tools.jackson.databind.node.ObjectNode) json(json);
    node.remove("asOf");
    return node.toString();
  }
}
