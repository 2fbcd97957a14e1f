package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.Command;
import io.agentwatch.client.CommandOutcome;
import io.agentwatch.client.Emission;
import io.agentwatch.client.EventDraft;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqlitePositionStore;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Automatic responses over real sockets: simulated agents (the Java SDK, each with its WebSocket
 * and command handler) pass work around a loop; an enforced {@code routing_loop → pause} policy
 * pauses each of them exactly once and they report {@code paused}; a budget breach quarantines the
 * spender; the same loop under a dry-run policy changes nothing but records {@code policy.matched};
 * and replaying the whole log after a restart issues no new command.
 */
class LoopBreakerEndToEndTest {

  private static final String LOOP_POLICY = "{\"id\":\"p-loop\",\"name\":\"break loops\","
      + "\"match\":{\"detectors\":[\"routing_loop\"]},\"action\":\"pause\",\"mode\":\"%s\"}";

  @TempDir
  Path data;
  private TestServer server;
  private final List<AgentwatchClient> clients = new ArrayList<>();

  /** One simulated agent: its client and the commands its handler got, with when. */
  private record Agent(String id, AgentwatchClient client, List<Command> commands, Map<String, Long> answeredAt) {

    Emission say(String type, String runId, Map<String, ?> data) {
      return client.emit(EventDraft.of(type, data).run(runId));
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(c -> c.close(Duration.ofSeconds(2)));
    clients.clear();
    if (server != null) {
      server.close();
    }
  }

  /** An agent that obeys: paused or quarantined, it reports its new status; the nanoTime its report is stored. */
  private Agent agent(String key, String id) {
    List<Command> commands = new CopyOnWriteArrayList<>();
    Map<String, Long> answeredAt = new ConcurrentHashMap<>();
    AgentwatchClient[] self = new AgentwatchClient[1];
    AgentwatchClient client = AgentwatchClient.builder(server.uri("/")).apiKey(key).agentId(id)
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .onCommand(command -> {
          commands.add(command);
          String status = switch (command.type()) {
            case "pause" -> "paused";
            case "quarantine" -> "quarantined";
            case "resume" -> "idle";
            default -> null;
          };
          if (status == null) {
            return CommandOutcome.rejected("not supported");
          }
          Emission report = self[0].emit(EventDraft.of("agent.status", Map.of("status", status)));
          report.stored().thenRun(() -> answeredAt.put(command.id(), System.nanoTime()));
          return CommandOutcome.done();
        }).build();
    self[0] = client;
    clients.add(client);
    client.start();
    TestServer.await(id + " connected", 20, () -> client.stats().connects() > 0);
    return new Agent(id, client, commands, answeredAt);
  }

  private void post(String path, String key, String body, int status) {
    HttpResponse<String> r = server.post(path, key, "application/json", body);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(status);
  }

  /** Three rounds of a → b → c → a; returns the nanoTime the last hand-off (the evidence) was acked. */
  private static long passWorkAround(List<Agent> ring, String runId) throws Exception {
    Emission last = null;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < ring.size(); i++) {
        Agent from = ring.get(i);
        String to = ring.get((i + 1) % ring.size()).id();
        last = from.say("message.sent", runId, Map.of("to", to, "content", "yours, round " + round));
        last.stored().get(10, TimeUnit.SECONDS);
      }
    }
    return System.nanoTime();
  }

  private List<JsonNode> events(String key, String query) {
    return json(server.get("/api/v1/events?limit=1000&" + query, key).body()).get("events").valueStream().toList();
  }

  @Test
  void anEnforcedPolicyPausesTheLoopingAgentsOnceAndABudgetBreachQuarantinesTheSpender() throws Exception {
    server = TestServer.start(data, "--agentwatch.analytics.tick=200ms");
    String key = server.newKey("default", "ingest", "read");
    post("/api/v1/policies", ADMIN_KEY, LOOP_POLICY.formatted("enforce"), 201);
    post("/api/v1/budgets", ADMIN_KEY, "{\"id\":\"b-run\",\"metric\":\"tokens\",\"limit\":10000,\"per\":\"run\"}", 201);
    post("/api/v1/policies", ADMIN_KEY, "{\"id\":\"p-budget\",\"match\":{\"detectors\":[\"budget\"],"
        + "\"severity\":\"critical\"},\"action\":\"quarantine\",\"mode\":\"enforce\",\"targets\":\"first\"}", 201);
    List<Agent> ring = List.of(agent(key, "ra"), agent(key, "rb"), agent(key, "rc"));

    long evidenceAcked = passWorkAround(ring, "loop-run");
    for (Agent a : ring) {
      TestServer.await(a.id() + " paused and reported it", 20, () -> a.answeredAt().size() == 1);
    }
    long slowest = ring.stream().mapToLong(a -> a.answeredAt().values().iterator().next()).max().orElseThrow();
    System.out.printf("from the loop's evidence event acked to the last agent's 'paused' acked: %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(slowest - evidenceAcked));

    Agent s1 = agent(key, "spender-1");
    Agent s2 = agent(key, "spender-2");
    s2.say("llm.call", "spend-run", Map.of("model", "m", "inputTokens", 5000, "outputTokens", 1000)).stored().get(10, TimeUnit.SECONDS);
    s1.say("llm.call", "spend-run", Map.of("model", "m", "inputTokens", 2000, "outputTokens", 1000)).stored().get(10, TimeUnit.SECONDS);
    s2.say("llm.call", "spend-run", Map.of("model", "m", "inputTokens", 1000, "outputTokens", 1000)).stored().get(10, TimeUnit.SECONDS);
    TestServer.await("the spender quarantined", 20, () -> s2.answeredAt().size() == 1);

    Thread.sleep(2000);
    for (Agent a : ring) {
      assertThat(a.commands()).as(a.id() + " is paused exactly once").singleElement()
          .satisfies(c -> assertThat(c.type()).isEqualTo("pause"));
    }
    assertThat(s2.commands()).singleElement().satisfies(c -> {
      assertThat(c.type()).isEqualTo("quarantine");
      assertThat(c.reason()).contains("p-budget", "the budget is exhausted");
    });
    assertThat(s1.commands()).as("the smaller spender is left alone").isEmpty();
    TestServer.await("the spender shown quarantined", 20, () -> quarantined("spend-run", "spender-2"));

    // An operator undoes the automatic quarantine with resume.
    post("/api/v1/agents/spender-2/commands", ADMIN_KEY, "{\"type\":\"resume\",\"reason\":\"budget raised\"}", 202);
    TestServer.await("the spender resumed", 20, () -> s2.answeredAt().size() == 2);
    TestServer.await("the quarantine lifted on the graph", 20, () -> !quarantined("spend-run", "spender-2"));

    List<JsonNode> commands = events(ADMIN_KEY, "type=command.issued").stream()
        .filter(c -> c.get("data").has("policyId")).toList();
    assertThat(commands).hasSize(4).allSatisfy(c -> assertThat(c.get("data").get("by").stringValue()).startsWith("policy:"));
    JsonNode alert = json(server.get("/api/v1/alerts?detector=routing_loop", ADMIN_KEY).body()).get("alerts").get(0);
    assertThat(alert.get("actions").valueStream().map(x -> x.get("agentId").stringValue() + ":" + x.get("type").stringValue()))
        .containsExactly("ra:pause", "rb:pause", "rc:pause");
    assertThat(commands.getFirst().get("data").get("alertId").stringValue()).isEqualTo(alert.get("id").stringValue());
    TestServer.await("the agents' answers recorded", 20, () -> events(ADMIN_KEY, "type=command.acknowledged").size() == 5);
    JsonNode graph = json(server.get("/api/v1/runs/loop-run/graph", ADMIN_KEY).body());
    assertThat(graph.get("loops")).singleElement().satisfies(l -> assertThat(l.get("alertId").stringValue())
        .isEqualTo(alert.get("id").stringValue()));

    // Replay: every client gone, the analytics' position forgotten, the whole log analysed again.
    clients.forEach(c -> c.close(Duration.ofSeconds(5)));
    clients.clear();
    int port = server.port();
    server.close();
    try (SqliteDatabase db = SqliteDatabase.open(data)) {
      PositionStore positions = new SqlitePositionStore(db);
      assertThat(positions.load("analytics")).isPresent();
      positions.clear("analytics");
    }
    server = TestServer.startOnPort(port, data, "--agentwatch.analytics.tick=200ms");
    List<Agent> again = List.of(agent(key, "ra"), agent(key, "rb"), agent(key, "rc"), agent(key, "spender-2"));
    TestServer.await("the analytics replayed the whole log", 30, () -> json(server.get(
        "/api/v1/alerts?detector=routing_loop", ADMIN_KEY).body()).get("alerts").size() == 1);
    Thread.sleep(2000);
    assertThat(again).allSatisfy(a -> assertThat(a.commands()).as(a.id() + " gets nothing again").isEmpty());
    assertThat(events(ADMIN_KEY, "type=command.issued")).as("no new command in the log (4 by policies, the resume)")
        .hasSize(5);
  }

  private boolean quarantined(String runId, String agentId) {
    return json(server.get("/api/v1/runs/" + runId + "/graph", ADMIN_KEY).body()).get("nodes").valueStream()
        .anyMatch(n -> n.get("id").stringValue().equals(agentId) && n.get("quarantined").booleanValue());
  }

  @Test
  void theSameLoopUnderADryRunPolicyChangesNothingButRecordsTheMatch() throws Exception {
    server = TestServer.start(data, "--agentwatch.analytics.tick=200ms");
    String admin = server.newKey("dry", "admin", "ingest", "read");
    post("/api/v1/policies", admin, LOOP_POLICY.formatted("dry-run"), 201);
    List<Agent> ring = List.of(agent(admin, "da"), agent(admin, "db"), agent(admin, "dc"));
    passWorkAround(ring, "dry-run");
    TestServer.await("the matches recorded", 20, () -> events(admin, "type=policy.matched").size() == 3);
    Thread.sleep(2000);
    assertThat(ring).allSatisfy(a -> assertThat(a.commands()).isEmpty());
    assertThat(events(admin, "type=command.issued")).isEmpty();
    assertThat(events(admin, "type=policy.matched")).allSatisfy(m -> {
      assertThat(m.get("data").get("outcome").stringValue()).isEqualTo("dry-run");
      assertThat(m.get("data").get("action").stringValue()).isEqualTo("pause");
    });
    for (Agent a : ring) {
      JsonNode state = json(server.get("/api/v1/agents/" + a.id(), admin).body());
      assertThat(state.get("status").isNull() || !state.get("status").stringValue().equals("paused")).isTrue();
    }
    JsonNode policy = json(server.get("/api/v1/policies/p-loop", admin).body());
    assertThat(policy.get("actions")).hasSize(3);
  }
}
