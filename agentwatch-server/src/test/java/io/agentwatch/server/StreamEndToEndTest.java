package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.batch;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Cursor;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** Live streams through a real server: SSE and WebSocket, resume, filters, tenants, bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.heartbeat-seconds=1");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void ingest(String key, String body) {
    HttpResponse<String> r = server.post("/api/v1/events", key, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private List<JsonNode> history(String query) {
    return json(server.get("/api/v1/events?limit=1000&" + query, ADMIN_KEY).body()).get("events")
        .valueStream().toList();
  }

  @Test
  void sseResumeFromACursorInTheMiddleYieldsExactlyTheLaterEventsThenLive() throws Exception {
    ingest(ADMIN_KEY, batch("sse", "sse-agent", 10));
    String middle = history("agentId=sse-agent").get(3).get("cursor").stringValue();

    try (SseClient sse = SseClient.open(server.http, server.uri("/api/v1/stream?agentId=sse-agent&after=" + middle),
        ADMIN_KEY, null)) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        got.add(json(sse.next(10).data()).get("id").stringValue());
      }
      assertThat(got).containsExactly("sse-4", "sse-5", "sse-6", "sse-7", "sse-8", "sse-9");

      ingest(ADMIN_KEY, Envelopes.array(List.of(Envelopes.log("sse-live", "sse-agent", "run-1"))));
      SseClient.Message live = nextEvent(sse);
      assertThat(json(live.data()).get("id").stringValue()).isEqualTo("sse-live");
      assertThat(live.event()).isEqualTo("log");
      assertThat(live.id()).isEqualTo(json(live.data()).get("cursor").stringValue());
    }
  }

  @Test
  void sseLastEventIdWinsOverAfterAndHeartbeatsFlow() throws Exception {
    ingest(ADMIN_KEY, batch("lei", "lei-agent", 4));
    List<JsonNode> stored = history("agentId=lei-agent");
    String first = stored.get(0).get("cursor").stringValue();
    String third = stored.get(2).get("cursor").stringValue();

    try (SseClient sse = SseClient.open(server.http,
        server.uri("/api/v1/stream?agentId=lei-agent&after=" + first), ADMIN_KEY, third)) {
      assertThat(json(sse.next(10).data()).get("id").stringValue()).isEqualTo("lei-3");
      assertThat(sse.poll(2500)).as("only heartbeat comments follow").isNull();
    }
  }

  @Test
  void sseAnswersAMalformedCursorWith400AndAForeignOneWithReset() throws Exception {
    try (SseClient bad = SseClient.open(server.http, server.uri("/api/v1/stream?after=garbage"), ADMIN_KEY, null)) {
      assertThat(bad.status()).isEqualTo(400);
    }
    String foreign = Cursor.at("wipedstore", 41).toString();
    try (SseClient sse = SseClient.open(server.http, server.uri("/api/v1/stream?agentId=reset-agent"), ADMIN_KEY,
        foreign)) {
      SseClient.Message reset = sse.next(10);
      assertThat(reset.event()).isEqualTo("reset");
      String head = json(reset.data()).get("resumeFrom").stringValue();
      assertThat(reset.id()).isEqualTo(head);
      assertThat(Cursor.parse(head).storeId()).isNotEqualTo("wipedstore");

      ingest(ADMIN_KEY, batch("after-reset", "reset-agent", 1));
      assertThat(json(nextEvent(sse).data()).get("id").stringValue()).isEqualTo("after-reset-0");
    }
  }

  @Test
  void streamsFilterByTypePrefixAndRun() throws Exception {
    try (SseClient sse = SseClient.open(server.http,
        server.uri("/api/v1/stream?runId=filter-run&type=task.*&type=agent.status"), ADMIN_KEY, null)) {
      Thread.sleep(300);
      ingest(ADMIN_KEY, Envelopes.array(List.of(
          Envelopes.event("f1", "task.created", "m", "filter-run", Map.of("taskId", "t1")),
          Envelopes.event("f2", "log", "m", "filter-run", Map.of("level", "info", "message", "x")),
          Envelopes.event("f3", "task.created", "m", "other-run", Map.of("taskId", "t2")),
          Envelopes.event("f4", "agent.status", "m", "filter-run", Map.of("status", "busy")))));

      assertThat(json(nextEvent(sse).data()).get("id").stringValue()).isEqualTo("f1");
      assertThat(json(nextEvent(sse).data()).get("id").stringValue()).isEqualTo("f4");
    }
  }

  @Test
  void aKeyOfTenantANeverSeesTenantB() throws Exception {
    String a = server.newKey("tenant-a", "ingest", "read");
    String b = server.newKey("tenant-b", "ingest", "read");
    ingest(b, batch("secret", "shared-agent", 3));

    assertThat(json(server.get("/api/v1/events?agentId=shared-agent", a).body()).get("events")).isEmpty();
    assertThat(json(server.get("/api/v1/events?agentId=shared-agent", b).body()).get("events")).hasSize(3);
    try (SseClient sse = SseClient.open(server.http,
        server.uri("/api/v1/stream?agentId=shared-agent&after=" + Cursor.at(storeId(), -1)), a, null)) {
      ingest(b, batch("secret-live", "shared-agent", 1));
      ingest(a, batch("mine", "shared-agent", 1));
      assertThat(json(nextEvent(sse).data()).get("id").stringValue()).isEqualTo("mine-0");
    }
  }

  @Test
  void webSocketPublishIsAckedAfterDurabilityAndDuplicatesAreNamed() {
    try (TestSocket ws = server.socket(ADMIN_KEY)) {
      ws.send("{\"op\":\"publish\",\"ref\":7,\"events\":" + batch("wsp", "ws-agent", 3) + "}");
      JsonNode ack = ws.next("ack", 10);
      assertThat(ack.get("ref").intValue()).isEqualTo(7);
      assertThat(ack.get("ids").valueStream().map(JsonNode::stringValue)).containsExactly("wsp-0", "wsp-1", "wsp-2");
      assertThat(history("agentId=ws-agent")).hasSize(3);

      ws.send("{\"op\":\"publish\",\"events\":" + batch("wsp", "ws-agent", 4) + "}");
      JsonNode again = ws.next("ack", 10);
      assertThat(again.get("ids").valueStream().map(JsonNode::stringValue)).containsExactly("wsp-3");
      assertThat(again.get("duplicates")).hasSize(3);
    }
  }

  @Test
  void badFramesGetErrorFramesAndTheSocketStaysOpen() {
    try (TestSocket ws = server.socket(ADMIN_KEY)) {
      List<String> bad = List.of("not json", "[1,2]", "{\"op\":42}", "{\"op\":\"fly\"}",
          "{\"op\":\"publish\"}", "{\"op\":\"publish\",\"events\":{}}", "{\"op\":\"subscribe\"}",
          "{\"op\":\"subscribe\",\"id\":\"s\",\"after\":\"nope\"}",
          "{\"op\":\"subscribe\",\"id\":\"s\",\"filter\":{\"types\":\"task.*\"}}",
          "{\"op\":\"unsubscribe\",\"id\":\"missing\"}", "{\"op\":\"hello\"}");
      for (String frame : bad) {
        ws.send(frame);
        JsonNode error = ws.next(10);
        assertThat(error.get("op").stringValue()).as(frame).isEqualTo("error");
        assertThat(error.get("error").stringValue()).as(frame).isNotBlank();
      }
      ws.send("{\"op\":\"publish\",\"events\":[{\"id\":\"only-bad\"}]}");
      JsonNode ack = ws.next("ack", 10);
      assertThat(ack.get("rejected").get(0).get("error").stringValue()).contains("type is required");

      ws.send("{\"op\":\"ping\",\"ref\":\"p\"}");
      assertThat(ws.next(10).get("op").stringValue()).isEqualTo("pong");
    }
  }

  @Test
  void repliesToPublishesKeepThePublishOrderEvenWhenOneIsRefusedAtOnce() {
    try (TestSocket ws = server.socket(ADMIN_KEY)) {
      for (int i = 0; i < 5; i++) {
        ws.send("{\"op\":\"publish\",\"ref\":\"ok-" + i + "\",\"events\":" + batch("order-" + i, "orderer", 200) + "}");
        ws.send("{\"op\":\"publish\",\"ref\":\"bad-" + i + "\",\"events\":5}");
      }
      for (int i = 0; i < 5; i++) {
        JsonNode ack = ws.next(10);
        assertThat(ack.get("op").stringValue()).isEqualTo("ack");
        assertThat(ack.get("ref").stringValue()).isEqualTo("ok-" + i);
        JsonNode error = ws.next(10);
        assertThat(error.get("op").stringValue()).isEqualTo("error");
        assertThat(error.get("ref").stringValue()).isEqualTo("bad-" + i);
      }
    }
  }

  @Test
  void aCursorPastTheHeadIsTreatedAsStaleNotSilentlyEmpty() throws Exception {
    ingest(ADMIN_KEY, batch("ahead", "ahead-agent", 1));
    Cursor last = Cursor.parse(history("agentId=ahead-agent").getLast().get("cursor").stringValue());
    Cursor ahead = last.advance(0, last.position(0) + 1000);

    IngestEndToEndTest.assertProblem(server.get("/api/v1/events?after=" + ahead, ADMIN_KEY), 410, "past the end");
    try (SseClient sse = SseClient.open(server.http, server.uri("/api/v1/stream?agentId=ahead-agent&after=" + ahead),
        ADMIN_KEY, null)) {
      assertThat(sse.next(10).event()).isEqualTo("reset");
      ingest(ADMIN_KEY, batch("ahead-live", "ahead-agent", 1));
      assertThat(json(nextEvent(sse).data()).get("id").stringValue()).isEqualTo("ahead-live-0");
    }
  }

  @Test
  void webSocketSubscribeResumesFromACursorThenGoesLive() {
    ingest(ADMIN_KEY, batch("wss", "wss-agent", 8));
    String middle = history("agentId=wss-agent").get(4).get("cursor").stringValue();
    try (TestSocket ws = server.socket(ADMIN_KEY)) {
      ws.send(Map.of("op", "subscribe", "id", "s1", "filter", Map.of("agentId", "wss-agent"), "after", middle));
      assertThat(ws.next("subscribed", 10).get("sub").stringValue()).isEqualTo("s1");
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        got.add(ws.next("event", 10).get("event").get("id").stringValue());
      }
      assertThat(got).containsExactly("wss-5", "wss-6", "wss-7");
      ingest(ADMIN_KEY, batch("wss-live", "wss-agent", 2));
      assertThat(ws.next("event", 10).get("event").get("id").stringValue()).isEqualTo("wss-live-0");
      assertThat(ws.next("event", 10).get("event").get("id").stringValue()).isEqualTo("wss-live-1");
    }
  }

  @Test
  void aBrowserFromAForeignOriginIsRefused() {
    var failure = org.assertj.core.api.Assertions.catchThrowable(() ->
        TestSocket.open(server.http, server.wsUri(), ADMIN_KEY, "https://evil.example"));
    assertThat(failure).hasStackTraceContaining("403");
    try (TestSocket own = TestSocket.open(server.http, server.wsUri(), ADMIN_KEY,
        "http://127.0.0.1:" + server.port())) {
      own.send("{\"op\":\"ping\"}");
      assertThat(own.next(10).get("op").stringValue()).isEqualTo("pong");
    }
  }

  @Test
  void historyAnswersBadCursorsAndLimitsPrecisely() {
    IngestEndToEndTest.assertProblem(server.get("/api/v1/events?after=zzz", ADMIN_KEY), 400, "cursor is malformed");
    IngestEndToEndTest.assertProblem(server.get("/api/v1/events?limit=5000", ADMIN_KEY), 400, "limit must be");
    IngestEndToEndTest.assertProblem(server.get("/api/v1/events?from=yesterday", ADMIN_KEY), 400, "RFC 3339");
    IngestEndToEndTest.assertProblem(server.get("/api/v1/events?type=task.*.x", ADMIN_KEY), 400, "type filter");
    HttpResponse<String> stale = server.get("/api/v1/events?after=" + Cursor.at("gonestore", 3), ADMIN_KEY);
    IngestEndToEndTest.assertProblem(stale, 410, "not to this store");
    assertThat(json(stale.body()).get("resumeFrom").stringValue()).startsWith("aw1.");
  }

  @Test
  void historyPagesWithNextUntilNull() {
    ingest(ADMIN_KEY, batch("page", "pager", 25));
    List<String> ids = new ArrayList<>();
    String next = null;
    do {
      JsonNode page = json(server.get("/api/v1/events?agentId=pager&limit=10"
          + (next == null ? "" : "&after=" + next), ADMIN_KEY).body());
      page.get("events").forEach(e -> ids.add(e.get("id").stringValue()));
      next = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (next != null);
    assertThat(ids).hasSize(25).doesNotHaveDuplicates().startsWith("page-0").endsWith("page-24");
  }

  private String storeId() {
    return Cursor.parse(history("").getFirst().get("cursor").stringValue()).storeId();
  }

  private static SseClient.Message nextEvent(SseClient sse) throws InterruptedException {
    while (true) {
      SseClient.Message m = sse.next(10);
      if (!m.event().equals("reset")) {
        return m;
      }
    }
  }
}
