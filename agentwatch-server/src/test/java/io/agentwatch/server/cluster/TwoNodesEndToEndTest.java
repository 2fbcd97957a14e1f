package io.agentwatch.server.cluster;

import static io.agentwatch.server.Envelopes.batch;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.Envelopes;
import io.agentwatch.server.Receiver;
import io.agentwatch.server.SseClient;
import io.agentwatch.server.TestServer;
import io.agentwatch.server.TestSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two nodes on one PostgreSQL and nothing else ({@code agentwatch.store=postgres}, the log in
 * PostgreSQL too): what one node takes in, the other serves — history, projections, live streams,
 * cursors, commands, keys and their revocation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoNodesEndToEndTest {

  @TempDir
  static Path dir;
  TestPostgres postgres;
  TestServer a;
  TestServer b;

  @BeforeAll
  void start() {
    postgres = TestPostgres.start(dir.resolve("pg"));
    // Both start at once on the empty store, each registering the same admin key.
    CompletableFuture<TestServer> first = CompletableFuture.supplyAsync(() -> TestServer.start(dir.resolve("a"),
        node("two_nodes")));
    CompletableFuture<TestServer> second = CompletableFuture.supplyAsync(() -> TestServer.start(dir.resolve("b"),
        node("two_nodes")));
    a = first.join();
    b = second.join();
  }

  private String[] node(String schema) {
    List<String> args = new ArrayList<>(List.of(postgres.nodeArgs(schema)));
    args.add("--agentwatch.webhook.allow-private=true");
    args.addAll(extraNodeArgs());
    return args.toArray(String[]::new);
  }

  /** What else both nodes are started with. */
  List<String> extraNodeArgs() {
    return List.of();
  }

  @AfterAll
  void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (postgres != null) {
      postgres.close();
    }
  }

  private static void ingest(TestServer node, String key, String body) {
    HttpResponse<String> r = node.post("/api/v1/events", key, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void eventsTakenInByOneNodeAreInTheOtherNodesHistoryAndProjections() {
    ingest(a, ADMIN_KEY, Envelopes.array(List.of(
        Envelopes.event("reg-1", "agent.registered", "worker-a", "run-two", Map.of("role", "worker")),
        Envelopes.event("st-1", "agent.status", "worker-a", "run-two", Map.of("status", "busy")))));

    JsonNode history = json(b.get("/api/v1/events?agentId=worker-a", ADMIN_KEY).body());
    assertThat(history.get("events")).extracting(e -> e.get("id").stringValue()).containsExactly("reg-1", "st-1");
    TestServer.await("node b's projection of worker-a", 10, () -> {
      HttpResponse<String> r = b.get("/api/v1/agents/worker-a", ADMIN_KEY);
      return r.statusCode() == 200 && "busy".equals(json(r.body()).path("status").asString());
    });
  }

  @Test
  void aSubscriberOnOneNodeHearsLiveEventsPublishedThroughTheOther() {
    try (TestSocket dashboard = b.socket(ADMIN_KEY); TestSocket agent = a.socket(ADMIN_KEY)) {
      dashboard.send(Map.of("op", "subscribe", "id", "live", "filter", Map.of("agentId", "worker-live")));
      dashboard.next("subscribed", 10);
      agent.send(Map.of("op", "publish", "events", List.of(
          Envelopes.log("live-1", "worker-live", "run-live"), Envelopes.log("live-2", "worker-live", "run-live"))));
      assertThat(agent.next("ack", 10).get("ids")).hasSize(2);

      List<String> heard = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        heard.add(dashboard.next("event", 10).get("event").get("id").stringValue());
      }
      assertThat(heard).containsExactly("live-1", "live-2");
    }
  }

  @Test
  void aCursorFromOneNodeResumesOnTheOtherWithoutGapOrDuplicate() throws Exception {
    ingest(a, ADMIN_KEY, batch("cur", "worker-cursor", 10));
    List<JsonNode> events = json(a.get("/api/v1/events?agentId=worker-cursor", ADMIN_KEY).body()).get("events")
        .valueStream().toList();
    String middle = events.get(4).get("cursor").stringValue();

    try (SseClient sse = SseClient.open(b.http, b.uri("/api/v1/stream?agentId=worker-cursor&after=" + middle),
        ADMIN_KEY, null)) {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        got.add(json(sse.next(10).data()).get("id").stringValue());
      }
      assertThat(got).containsExactly("cur-5", "cur-6", "cur-7", "cur-8", "cur-9");
    }
  }

  @Test
  void aCommandIssuedThroughOneNodeReachesTheAgentConnectedToTheOther() {
    try (TestSocket worker = b.socket(ADMIN_KEY)) {
      worker.send(Map.of("op", "hello", "agentId", "worker-cmd"));
      worker.next("welcome", 10);
      // Node a knows the agent from the shared log once it has sent an event; its socket is node b's.
      worker.send(Map.of("op", "publish", "events", List.of(
          Envelopes.event("cmd-reg", "agent.registered", "worker-cmd", null, Map.of("role", "worker")))));
      worker.next("ack", 10);
      TestServer.await("node a's projection of worker-cmd", 10,
          () -> a.get("/api/v1/agents/worker-cmd", ADMIN_KEY).statusCode() == 200);
      HttpResponse<String> issued = a.post("/api/v1/agents/worker-cmd/commands", ADMIN_KEY, "application/json",
          "{\"type\":\"pause\",\"reason\":\"from the other node\"}");
      assertThat(issued.statusCode()).as(issued.body()).isEqualTo(202);
      JsonNode command = worker.next("command", 10).get("command");
      assertThat(command.get("id").stringValue()).isEqualTo(json(issued.body()).get("commandId").stringValue());
      assertThat(command.get("reason").stringValue()).isEqualTo("from the other node");
    }
  }

  @Test
  void aKeyRevokedOnOneNodeIsRefusedByTheOtherAndItsOpenSocketThereIsClosed() throws Exception {
    String key = a.newKey("acme", "read", "ingest");
    assertThat(b.get("/api/v1/events", key).statusCode()).isEqualTo(200);
    try (TestSocket socket = b.socket(key)) {
      socket.send(Map.of("op", "subscribe", "id", "s"));
      socket.next("subscribed", 10);

      String id = json(a.get("/api/v1/keys", ADMIN_KEY).body()).get("keys").valueStream()
          .filter(k -> k.get("tenant").stringValue().equals("acme")).findFirst().orElseThrow().get("id").stringValue();
      assertThat(a.delete("/api/v1/keys/" + id, ADMIN_KEY).statusCode()).isEqualTo(204);

      // Within the bound the documentation gives: node b's cache (10 s) and its sweep (10 s).
      assertThat(socket.next("gap", 25).get("reason").stringValue()).isEqualTo("revoked");
      assertThat(socket.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
      TestServer.await("node b refuses the revoked key", 15,
          () -> b.get("/api/v1/events", key).statusCode() == 401);
    }
  }

  @Test
  void aWebhookCreatedOnOneNodeGetsEveryMatchingEventOfBothNodesOnceFromOneSender() throws Exception {
    try (Receiver receiver = Receiver.start(Receiver.OK)) {
      HttpResponse<String> created = a.post("/api/v1/webhooks", ADMIN_KEY, "application/json",
          "{\"url\":\"" + receiver.url() + "\",\"types\":[\"task.failed\"]}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String webhookId = json(created.body()).get("id").stringValue();

      for (int i = 0; i < 10; i++) {
        TestServer node = i % 2 == 0 ? a : b;
        ingest(node, ADMIN_KEY, Envelopes.array(List.of(Envelopes.event("wf-" + i, "task.failed", "worker-wh",
            "run-wh", Map.of("taskId", "t" + i, "error", "boom")))));
      }
      TestServer.await("ten deliveries", 30, () -> receiver.successes().size() >= 10);
      Thread.sleep(3_000);
      assertThat(receiver.hits()).extracting(Receiver.Hit::eventId).as("each event delivered once, by one node")
          .hasSize(10).doesNotHaveDuplicates();
      JsonNode deliveries = json(b.get("/api/v1/webhooks/" + webhookId + "/deliveries", ADMIN_KEY).body());
      assertThat(deliveries.get("deliveries")).hasSize(10)
          .allSatisfy(d -> assertThat(d.get("state").stringValue()).isEqualTo("delivered"));
    }
  }

  @Test
  void anAlertBothNodesDetectIsOneEventInTheLogAndListedByBoth() {
    List<Object> loop = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-28T16:00:00Z");
    for (int round = 0; round < 3; round++) {
      String[] agents = {"router-a", "router-b", "router-c"};
      for (int i = 0; i < 3; i++) {
        loop.add(Envelopes.at(t0.plusSeconds(round * 6L + i * 2L).toString(), "loop-" + round + "-" + i,
            "message.sent", agents[i], "run-loop", Map.of("to", agents[(i + 1) % 3], "content", "yours")));
      }
    }
    ingest(a, ADMIN_KEY, Envelopes.array(loop));

    for (TestServer node : List.of(a, b)) {
      TestServer.await("the routing loop listed by node " + node.port(), 30, () -> json(node.get(
          "/api/v1/alerts?runId=run-loop&detector=routing_loop", ADMIN_KEY).body()).get("alerts").size() == 1);
    }
    // A node lists an alert as soon as its analytics finds it; the alert.raised event follows.
    String raised = "/api/v1/events?runId=run-loop&type=alert.raised";
    TestServer.await("alert.raised in the log", 30,
        () -> json(b.get(raised, ADMIN_KEY).body()).get("events").size() > 0);
    assertThat(json(b.get(raised, ADMIN_KEY).body()).get("events"))
        .as("raised once in the log, though both nodes' analytics found it").hasSize(1);
  }

  @Test
  void aStreamTicketIssuedByOneNodeOpensOneStreamOnTheOther() {
    HttpResponse<String> issued = a.post("/api/v1/stream-tickets", ADMIN_KEY, null, "");
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    String ticket = json(issued.body()).get("ticket").stringValue();

    try (TestSocket socket = TestSocket.open(b.http, URI.create(b.wsUri() + "?access_token=" + ticket),
        null, null)) {
      socket.send("{\"op\":\"ping\"}");
      assertThat(socket.next("pong", 5)).isNotNull();
    }
    assertThat(a.get("/api/v1/stream?access_token=" + ticket, null).statusCode())
        .as("used up on every node").isEqualTo(401);
  }

  @Test
  void healthNamesThePostgresBackendAndReadinessIncludesIt() {
    HttpResponse<String> readiness = b.get("/actuator/health/readiness", null);
    assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
    JsonNode pipeline = json(readiness.body()).get("components").get("pipeline");
    assertThat(pipeline.get("status").stringValue()).isEqualTo("UP");
    assertThat(pipeline.get("components").get("postgres").get("status").stringValue()).isEqualTo("UP");
  }
}
