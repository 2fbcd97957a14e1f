package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.ClientListener;
import io.agentwatch.client.ClientStats;
import io.agentwatch.client.Command;
import io.agentwatch.client.CommandOutcome;
import io.agentwatch.client.Emission;
import io.agentwatch.client.Transport;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The SDK against the real server: restarts while agents emit, and HTTP while the socket is refused. */
class ClientEndToEndTest {

  @TempDir
  Path data;

  private static AgentwatchClient.Builder client(TestServer server, String key, String agentId) {
    return AgentwatchClient.builder(server.uri("/")).apiKey(key).agentId(agentId)
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
  }

  /** Every stored id of {@code agentId}, paging through the history in log order. */
  private static List<String> storedIds(TestServer server, String agentId) {
    List<String> ids = new ArrayList<>();
    String after = null;
    do {
      String q = "/api/v1/events?limit=1000&agentId=" + agentId
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
      JsonNode page = json(server.get(q, ADMIN_KEY).body());
      page.get("events").forEach(e -> ids.add(e.get("id").stringValue()));
      after = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (after != null);
    return ids;
  }

  @Test
  void everyEventEmittedAcrossAServerRestartIsStoredExactlyOnceInOrderPerAgent() throws Exception {
    TestServer server = TestServer.start(data);
    int port = server.port();
    String key = server.newKey("default", "ingest");
    int agents = 3;
    List<AgentwatchClient> clients = new ArrayList<>();
    List<List<String>> emitted = new ArrayList<>();
    AtomicInteger progress = new AtomicInteger();
    AtomicBoolean restarted = new AtomicBoolean();
    List<Thread> producers = new ArrayList<>();
    try {
      for (int a = 0; a < agents; a++) {
        AgentwatchClient c = client(server, key, "restart-agent-" + a).runId("restart-run").build();
        clients.add(c);
        List<String> ids = new ArrayList<>();
        emitted.add(ids);
        // Each agent emits before, during and after the restart: until 300 events after it.
        producers.add(Thread.ofVirtual().start(() -> {
          int afterRestart = 0;
          for (int i = 0; afterRestart < 300; i++) {
            String type = i % 3 == 0 ? "task.progress" : "tool.called";
            Map<String, Object> payload = i % 3 == 0 ? Map.of("taskId", "t", "percent", i % 100)
                : Map.of("tool", "step-" + i);
            Emission e = c.emit(type, payload);
            assertThat(e.accepted()).isTrue();
            ids.add(e.id());
            progress.incrementAndGet();
            if (restarted.get()) {
              afterRestart++;
            }
            if (i % 10 == 0) {
              sleep(5);
            }
          }
        }));
      }

      TestServer.await("events flowing", 60, () -> progress.get() > 600
          && clients.stream().allMatch(c -> c.stats().acked() > 0));
      server.close();
      sleep(300);
      server = TestServer.startOnPort(port, data);
      restarted.set(true);
      for (Thread t : producers) {
        t.join();
      }
      for (AgentwatchClient c : clients) {
        assertThat(c.flush(Duration.ofSeconds(60))).as("flushed " + c.agentId()).isTrue();
      }

      for (int a = 0; a < agents; a++) {
        ClientStats stats = clients.get(a).stats();
        assertThat(stats.dropped()).isZero();
        assertThat(stats.rejected()).isZero();
        assertThat(stats.acked()).isEqualTo(emitted.get(a).size());
        assertThat(stats.connects()).as("reconnected after the restart").isGreaterThanOrEqualTo(2);
        assertThat(storedIds(server, "restart-agent-" + a)).as("stored once, in emit order")
            .containsExactlyElementsOf(emitted.get(a));
      }
    } finally {
      clients.forEach(c -> c.close(Duration.ofSeconds(5)));
      server.close();
    }
  }

  @Test
  void whileTheWebSocketIsRefusedEventsGoOverHttpAndTheSocketIsTriedAgain() throws Exception {
    try (TestServer server = TestServer.start(data)) {
      String key = server.newKey("default", "ingest");
      List<String> transports = new CopyOnWriteArrayList<>();
      URI nowhere = URI.create("ws://127.0.0.1:" + server.port() + "/api/v1/no-socket-here");
      List<String> ids = new ArrayList<>();
      try (AgentwatchClient c = client(server, key, "fallback-agent").webSocketUri(nowhere)
          .listener(new ClientListener() {
            @Override
            public void transportChanged(Transport transport, String detail) {
              transports.add(transport + ": " + detail);
            }
          }).build()) {
        for (int i = 0; i < 300; i++) {
          ids.add(c.emit("log", Map.of("level", "info", "message", "over http " + i)).id());
        }
        assertThat(c.flush(Duration.ofSeconds(30))).isTrue();
        TestServer.await("the socket tried again", 20, () -> transports.size() >= 3);
        assertThat(c.stats().transport()).isEqualTo(Transport.HTTP);
        assertThat(c.stats().acked()).isEqualTo(300);
        assertThat(c.stats().connects()).isZero();
      }
      assertThat(transports).allSatisfy(t -> assertThat(t).startsWith("HTTP: WebSocket unavailable")
          .contains("refused with HTTP 404"));
      assertThat(storedIds(server, "fallback-agent")).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void aRevokedOrMissingKeyKeepsEventsBufferedInsteadOfDroppingThem() throws Exception {
    try (TestServer server = TestServer.start(data)) {
      List<String> problems = new CopyOnWriteArrayList<>();
      AgentwatchClient c = client(server, "aw_not-a-key", "unauthorised-agent").listener(new ClientListener() {
        @Override
        public void retrying(String problem, Duration retryIn) {
          problems.add(problem);
        }
      }).build();
      try {
        Emission e = c.emit("task.created", Map.of("taskId", "t1"));
        TestServer.await("a refused attempt", 20, () -> !problems.isEmpty());
        assertThat(problems.get(0)).startsWith("HTTP 401");
        assertThat(e.stored()).isNotDone();
        assertThat(c.stats().buffered()).isEqualTo(1);
      } finally {
        assertThat(c.close(Duration.ZERO)).as("closing gives up on what was not stored").isFalse();
      }
    }
  }

  @Test
  void aCommandIssuedThroughTheApiReachesTheHandlerAndItsAcknowledgementIsStored() throws Exception {
    try (TestServer server = TestServer.start(data)) {
      String key = server.newKey("default", "ingest");
      List<Command> received = new CopyOnWriteArrayList<>();
      try (AgentwatchClient c = client(server, key, "commanded-agent").onCommand(command -> {
        received.add(command);
        return command.type().equals("pause") ? CommandOutcome.done() : CommandOutcome.rejected("no task to cancel");
      }).build().start()) {
        TestServer.await("connected", 20, () -> c.stats().connects() > 0);
        String pause = issue(server, "commanded-agent", "{\"type\":\"pause\",\"reason\":\"over budget\"}");
        String cancel = issue(server, "commanded-agent", "{\"type\":\"cancel\",\"taskId\":\"t9\"}");

        TestServer.await("both answered", 30, () -> commandStates(server, "commanded-agent").size() == 2
            && !commandStates(server, "commanded-agent").containsValue("pending"));
        assertThat(commandStates(server, "commanded-agent")).containsEntry(pause, "applied")
            .containsEntry(cancel, "rejected");
        assertThat(received).extracting(Command::id).containsExactly(pause, cancel);
        assertThat(received.get(0).reason()).isEqualTo("over budget");
        assertThat(received.get(1).taskId()).isEqualTo("t9");

        JsonNode ack = json(server.get("/api/v1/events?agentId=commanded-agent&type=command.acknowledged", ADMIN_KEY)
            .body()).get("events").get(0);
        assertThat(ack.get("parentId").stringValue()).isEqualTo(pause);
        assertThat(ack.get("data").get("outcome").stringValue()).isEqualTo("applied");
      }
    }
  }

  /** Issues a command with the admin key; returns its id. */
  static String issue(TestServer server, String agentId, String body) {
    HttpResponse<String> r = server.post("/api/v1/agents/" + agentId + "/commands", ADMIN_KEY, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return json(r.body()).get("commandId").stringValue();
  }

  /** Command id → state (pending, applied, rejected) as the server lists them. */
  static Map<String, String> commandStates(TestServer server, String agentId) {
    Map<String, String> states = new java.util.LinkedHashMap<>();
    json(server.get("/api/v1/agents/" + agentId + "/commands", ADMIN_KEY).body()).get("commands")
        .forEach(c -> states.put(c.get("commandId").stringValue(), c.get("state").stringValue()));
    return states;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
