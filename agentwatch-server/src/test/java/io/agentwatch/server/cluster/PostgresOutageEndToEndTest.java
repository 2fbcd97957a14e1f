package io.agentwatch.server.cluster;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.Envelopes;
import io.agentwatch.server.TestServer;
import io.agentwatch.server.TestSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL stops under load and comes back: ingest answers 503 with {@code Retry-After} naming
 * the backend (never a hang, never a 500), and so does a request whose key this node cannot check
 * now, while keys it checked before keep working; readiness turns DOWN naming {@code postgres}, and once
 * the database is back the node recovers by itself — readiness UP, ingest accepted — and every
 * event that was ever acknowledged is in PostgreSQL exactly once, in each producer's order.
 */
class PostgresOutageEndToEndTest {

  private static final int PRODUCERS = 2;
  private static final int BATCH = 20;
  private static final String SCHEMA = "outage";

  @TempDir
  Path dir;

  /** What the producers saw. */
  private final Map<Integer, List<String>> acked = new ConcurrentHashMap<>();
  private final Set<String> retryAfter = ConcurrentHashMap.newKeySet();
  private final Set<String> unavailableBackends = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicBoolean producing = new AtomicBoolean(true);

  @Test
  void whilePostgresIsDownIngestAnswers503AndReadinessNamesItThenEverythingRecoversWithNothingAckedLost()
      throws Exception {
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"))) {
      List<String> args = new ArrayList<>(List.of(postgres.nodeArgs(SCHEMA)));
      args.add("--agentwatch.resilience.open-for=2s");
      try (TestServer node = TestServer.start(dir.resolve("node"), args.toArray(String[]::new))) {
        List<Thread> producers = IntStream.range(0, PRODUCERS)
            .mapToObj(p -> Thread.ofVirtual().start(() -> produce(node, p))).toList();
        TestServer.await("some events acknowledged", 60, () -> ackedCount() >= 400);

        String unseenKey = node.newKey("default", "read");
        try (TestSocket agent = node.socket(ADMIN_KEY)) {
          postgres.stop();
          TestServer.await("ingest refused with 503", 30, () -> refused.get() > 0);
          assertThat(retryAfter).as("Retry-After of the 503s").isNotEmpty().allMatch(v -> Integer.parseInt(v) >= 1);
          assertThat(unavailableBackends).containsExactly("postgres");

          agent.send(Map.of("op", "publish", "events", List.of(Envelopes.log("ws-down", "ws-agent", "outage-run"))));
          JsonNode error = agent.next("error", 30);
          assertThat(error.get("status").intValue()).isEqualTo(503);

          // The admin key was looked up before: it keeps working. A key never looked up cannot be checked.
          HttpResponse<String> unchecked = node.get("/api/v1/events", unseenKey);
          assertThat(unchecked.statusCode()).as(unchecked.body()).isEqualTo(503);
          assertThat(json(unchecked.body()).get("backend").stringValue()).isEqualTo("postgres");
          assertThat(unchecked.headers().firstValue("Retry-After")).isPresent();

          TestServer.await("readiness DOWN naming postgres", 30, () -> {
            HttpResponse<String> r = node.get("/actuator/health/readiness", null);
            JsonNode postgresHealth = json(r.body()).path("components").path("pipeline").path("components")
                .path("postgres");
            return r.statusCode() == 503 && "DOWN".equals(postgresHealth.path("status").asString());
          });
          int ackedWhileDown = ackedCount();
          Thread.sleep(3_000);
          assertThat(ackedCount()).as("nothing is acknowledged while PostgreSQL is down").isEqualTo(ackedWhileDown);

          postgres.restart();
          TestServer.await("readiness UP again", 60,
              () -> node.get("/actuator/health/readiness", null).statusCode() == 200);
          TestServer.await("ingest accepted again", 60, () -> ackedCount() >= ackedWhileDown + 400);
        }
        producing.set(false);
        for (Thread t : producers) {
          t.join();
        }
      }

      Map<String, List<String>> stored = storedByAgent(postgres);
      for (int p = 0; p < PRODUCERS; p++) {
        List<String> mine = stored.getOrDefault(agent(p), List.of());
        assertThat(mine).as("producer %d's events, once each", p).doesNotHaveDuplicates().containsAll(acked.get(p));
        assertThat(mine).as("producer %d's order", p).isSortedAccordingTo(PostgresOutageEndToEndTest::bySequence);
      }
    }
  }

  /** Sends batches one after another; a refused batch is sent again until it is acknowledged. */
  private void produce(TestServer node, int producer) {
    List<String> mine = acked.computeIfAbsent(producer, p -> new ArrayList<>());
    for (int batch = 0; producing.get(); batch++) {
      int first = batch * BATCH;
      List<String> ids = IntStream.range(first, first + BATCH).mapToObj(i -> "o" + producer + "-" + i).toList();
      String body = Envelopes.array(ids.stream().map(id -> Envelopes.log(id, agent(producer), "outage-run")).toList());
      while (true) {
        HttpResponse<String> r = node.post("/api/v1/events", ADMIN_KEY, "application/json", body);
        if (r.statusCode() == 200) {
          synchronized (mine) {
            mine.addAll(ids);
          }
          break;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        refused.incrementAndGet();
        r.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
        unavailableBackends.add(json(r.body()).path("backend").asString("none"));
        sleep(200);
      }
    }
  }

  private int ackedCount() {
    return acked.values().stream().mapToInt(l -> {
      synchronized (l) {
        return l.size();
      }
    }).sum();
  }

  private static String agent(int producer) {
    return "outage-agent-" + producer;
  }

  private static int bySequence(String a, String b) {
    return Integer.compare(Integer.parseInt(a.substring(a.indexOf('-') + 1)),
        Integer.parseInt(b.substring(b.indexOf('-') + 1)));
  }

  /** Every stored event of the run, per agent in log order, read straight from PostgreSQL. */
  private static Map<String, List<String>> storedByAgent(TestPostgres postgres) throws Exception {
    Map<String, List<String>> byAgent = new HashMap<>();
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT agent_id, id FROM " + SCHEMA
             + ".events WHERE run_id = 'outage-run' ORDER BY partition, off")) {
      while (rs.next()) {
        byAgent.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return byAgent;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
