package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Live delivery's newer promises through a real server: batched frames carry exactly what single
 * frames carry, bad subscribe options are named, floods of subscription changes are refused while
 * the server stays healthy, connections past a key's cap get 429, and idle sockets cost kilobytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveDeliveryEndToEndTest {

  private static final int KEY_CAP = 40;

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.stream.max-connections-per-key=" + KEY_CAP,
        "--agentwatch.stream.max-connections-per-tenant=5000");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void ingest(String body) {
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static String events(String prefix, int from, int to) {
    return Envelopes.array(IntStream.range(from, to)
        .mapToObj(i -> Envelopes.log(prefix + "-" + i, "batcher", "batch-run")).toList());
  }

  @Test
  void batchedAndSingleFramesCarryTheSameEventsAndCursors() throws Exception {
    ingest(events("b", 0, 30));
    String start = json(server.get("/api/v1/events?runId=batch-run&limit=1", ADMIN_KEY).body())
        .get("events").get(0).get("cursor").stringValue();
    try (TestSocket single = server.socket(ADMIN_KEY); TestSocket batched = server.socket(ADMIN_KEY)) {
      single.send(Map.of("op", "subscribe", "id", "one", "filter", Map.of("runId", "batch-run"), "after", start));
      batched.send(Map.of("op", "subscribe", "id", "many", "filter", Map.of("runId", "batch-run"), "after", start,
          "batch", true));
      single.next("subscribed", 10);
      batched.next("subscribed", 10);
      ingest(events("b", 30, 300));

      List<String> singleIds = new ArrayList<>();
      List<String> singleCursors = new ArrayList<>();
      while (singleIds.size() < 299) {
        JsonNode f = single.next("event", 10);
        assertThat(f.get("sub").stringValue()).isEqualTo("one");
        singleIds.add(f.get("event").get("id").stringValue());
        singleCursors.add(f.get("cursor").stringValue());
      }
      List<String> batchedIds = new ArrayList<>();
      List<String> batchedCursors = new ArrayList<>();
      int frames = 0;
      while (batchedIds.size() < 299) {
        JsonNode f = batched.next("events", 10);
        frames++;
        assertThat(f.get("sub").stringValue()).isEqualTo("many");
        List<JsonNode> inFrame = f.get("events").valueStream().toList();
        assertThat(inFrame).isNotEmpty();
        inFrame.forEach(e -> {
          batchedIds.add(e.get("id").stringValue());
          batchedCursors.add(e.get("cursor").stringValue());
        });
        assertThat(f.get("cursor").stringValue()).as("the frame's cursor is the one after its last event")
            .isEqualTo(inFrame.getLast().get("cursor").stringValue());
      }
      assertThat(batchedIds).containsExactlyElementsOf(singleIds);
      assertThat(batchedCursors).containsExactlyElementsOf(singleCursors);
      assertThat(frames).as("several events share a frame").isLessThan(299);
      assertThat(batched.poll(200)).isNull();
    }
  }

  @Test
  void badSubscribeOptionsAreNamedAndTheSocketStaysOpen() {
    try (TestSocket socket = server.socket(ADMIN_KEY)) {
      socket.send(Map.of("op", "subscribe", "id", "x", "batch", "yes"));
      assertThat(socket.next("error", 10).get("error").stringValue()).contains("batch must be true or false");
      socket.send(Map.of("op", "subscribe", "id", "x", "conflate", 1));
      assertThat(socket.next("error", 10).get("error").stringValue()).contains("conflate must be true or false");
      socket.send(Map.of("op", "subscribe", "id", "x", "bacth", true));
      assertThat(socket.next("error", 10).get("error").stringValue()).contains("bacth is not a subscribe option");
      socket.send(Map.of("op", "subscribe", "id", "x", "filter", Map.of("type", List.of("log"))));
      assertThat(socket.next("error", 10).get("error").stringValue())
          .contains("filter.type is not a subscribe option");
      socket.send(Map.of("op", "ping"));
      assertThat(socket.next(10).get("op").stringValue()).isEqualTo("pong");
    }
    HttpResponse<String> bad = server.get("/api/v1/stream?batch=maybe", ADMIN_KEY);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad.body()).get("detail").stringValue()).contains("batch must be true or false");
    HttpResponse<String> unknown = server.get("/api/v1/stream?types=log", ADMIN_KEY);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json(unknown.body()).get("detail").stringValue()).contains("types is not a stream parameter");
  }

  @Test
  void aFloodOfSubscriptionChangesIsRefusedAndTheServerStaysHealthy() {
    try (TestSocket socket = server.socket(ADMIN_KEY)) {
      int refused = 0;
      for (int i = 0; i < 400; i++) {
        socket.send(Map.of("op", "subscribe", "id", "f" + i));
        socket.send(Map.of("op", "unsubscribe", "id", "f" + i));
      }
      int answers = 0;
      while (answers < 800) {
        JsonNode f = socket.next(10);
        String op = f.get("op").stringValue();
        if (op.equals("error")) {
          if (f.get("status").asInt() == 429) {
            refused++;
            assertThat(f.get("error").stringValue()).contains("subscribe or unsubscribe frames a second");
            assertThat(f.get("retryAfterMs").asInt()).isPositive();
          }
        }
        answers++;
      }
      assertThat(refused).as("most of a burst of 800 changes is refused").isGreaterThan(500);
      socket.send(Map.of("op", "ping"));
      assertThat(socket.next("pong", 10)).isNotNull();
    }
    assertThat(server.get("/actuator/health", null).statusCode()).isEqualTo(200);
  }

  @Test
  void connectionsPastTheKeysCapAreRefusedWith429AndTheServerLivesOn() throws Exception {
    String key = server.newKey("capped", "read");
    List<Socket> open = new ArrayList<>();
    try {
      int refused = 0;
      for (int i = 0; i < KEY_CAP + 10; i++) {
        Socket s = new Socket("127.0.0.1", server.port());
        open.add(s);
        String answer = upgrade(s, key);
        if (answer.startsWith("HTTP/1.1 429")) {
          refused++;
          assertThat(answer).contains("agentwatch.stream.max-connections-per-key");
        } else {
          assertThat(answer).startsWith("HTTP/1.1 101");
        }
      }
      assertThat(refused).isEqualTo(10);
      HttpResponse<String> sse = server.get("/api/v1/stream", key);
      assertThat(sse.statusCode()).isEqualTo(429);
      assertThat(json(sse.body()).get("detail").stringValue()).contains("max-connections-per-key");
      assertThat(sse.headers().firstValue("Retry-After")).isPresent();
      try (TestSocket other = server.socket(ADMIN_KEY)) {
        other.send(Map.of("op", "ping"));
        assertThat(other.next("pong", 10)).isNotNull();
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  @Test
  void aThousandIdleSocketsCostLittleHeap() throws Exception {
    String key = server.newKey("idle", "read");
    String tenantKey = key;
    List<Socket> open = new ArrayList<>();
    long before = usedHeapAfterGc();
    try {
      for (int i = 0; i < 1000; i++) {
        // Several keys of one tenant: the per-key cap of this server is small.
        if (i % KEY_CAP == 0 && i > 0) {
          tenantKey = server.newKey("idle", "read");
        }
        Socket s = new Socket("127.0.0.1", server.port());
        open.add(s);
        assertThat(upgrade(s, tenantKey)).startsWith("HTTP/1.1 101");
      }
      long after = usedHeapAfterGc();
      // The server runs in this JVM; its clients here are plain sockets of a few hundred bytes.
      assertThat((after - before) / 1000).as("heap per idle socket, bytes").isLessThan(48 * 1024);
      try (TestSocket other = server.socket(ADMIN_KEY)) {
        other.send(Map.of("op", "ping"));
        assertThat(other.next("pong", 10)).isNotNull();
      }
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** A WebSocket upgrade on a plain socket; the first line of the answer and what follows in its first read. */
  private String upgrade(Socket s, String key) throws IOException {
    s.setSoTimeout(10_000);
    s.getOutputStream().write(("GET /api/v1/ws HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\nAuthorization: Bearer " + key + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    InputStream in = s.getInputStream();
    byte[] buffer = new byte[4096];
    int n = in.read(buffer);
    return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.UTF_8);
  }
}
