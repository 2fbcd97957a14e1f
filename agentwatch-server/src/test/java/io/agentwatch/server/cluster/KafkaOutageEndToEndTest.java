package io.agentwatch.server.cluster;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.Envelopes;
import io.agentwatch.server.TestServer;
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
 * The Kafka broker stops under load and comes back (Kafka as the log, PostgreSQL as its history,
 * Redis for event ids): ingest answers 503 with {@code Retry-After} naming {@code kafka}, readiness
 * turns DOWN naming it, and once the broker is back the node recovers by itself; every event ever
 * acknowledged reaches the PostgreSQL history exactly once, in each producer's order.
 */
class KafkaOutageEndToEndTest {

  private static final int PRODUCERS = 2;
  private static final int BATCH = 20;
  private static final String SCHEMA = "kafka_outage";

  @TempDir
  Path dir;

  private final Map<Integer, List<String>> acked = new ConcurrentHashMap<>();
  private final Set<String> retryAfter = ConcurrentHashMap.newKeySet();
  private final Set<String> unavailableBackends = ConcurrentHashMap.newKeySet();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicBoolean producing = new AtomicBoolean(true);

  @Test
  void whileKafkaIsDownIngestAnswers503AndReadinessNamesItThenEverythingRecoversWithNothingAckedLost()
      throws Exception {
    String redis = TestRedis.url();
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"));
         TestKafka kafka = TestKafka.start(dir.resolve("kafka"))) {
      List<String> args = new ArrayList<>(List.of(postgres.nodeArgs(SCHEMA)));
      args.addAll(kafka.nodeArgs("outage-events"));
      args.addAll(TestRedis.nodeArgs(redis, TestRedis.freshPrefix()));
      args.addAll(List.of("--agentwatch.kafka.append-timeout=3s", "--agentwatch.kafka.read-timeout=3s",
          "--agentwatch.resilience.window=10", "--agentwatch.resilience.minimum-calls=4",
          "--agentwatch.resilience.open-for=2s", "--agentwatch.resilience.append-timeout=10s"));
      try (TestServer node = TestServer.start(dir.resolve("node"), args.toArray(String[]::new))) {
        List<Thread> producers = IntStream.range(0, PRODUCERS)
            .mapToObj(p -> Thread.ofVirtual().start(() -> produce(node, p))).toList();
        TestServer.await("some events acknowledged", 60, () -> ackedCount() >= 400);

        kafka.stop();
        TestServer.await("ingest refused with 503", 60, () -> refused.get() > 0);
        TestServer.await("readiness DOWN naming kafka", 60, () -> {
          HttpResponse<String> r = node.get("/actuator/health/readiness", null);
          JsonNode kafkaHealth = json(r.body()).path("components").path("pipeline").path("components").path("kafka");
          return r.statusCode() == 503 && "DOWN".equals(kafkaHealth.path("status").asString());
        });
        assertThat(retryAfter).as("Retry-After of the 503s").isNotEmpty().allMatch(v -> Integer.parseInt(v) >= 1);
        assertThat(unavailableBackends).contains("kafka");
        int ackedWhileDown = ackedCount();
        Thread.sleep(2_000);
        assertThat(ackedCount()).as("nothing is acknowledged while Kafka is down").isEqualTo(ackedWhileDown);

        kafka.restart();
        TestServer.await("readiness UP again", 120,
            () -> node.get("/actuator/health/readiness", null).statusCode() == 200);
        TestServer.await("ingest accepted again", 60, () -> ackedCount() >= ackedWhileDown + 400);
        producing.set(false);
        for (Thread t : producers) {
          t.join();
        }

        int expected = ackedCount();
        TestServer.await("the history holds every acknowledged event", 60,
            () -> count(postgres) >= expected);
      }
      Map<String, List<String>> stored = storedByAgent(postgres);
      for (int p = 0; p < PRODUCERS; p++) {
        List<String> mine = stored.getOrDefault(agent(p), List.of());
        assertThat(mine).as("producer %d's events, once each", p).doesNotHaveDuplicates().containsAll(acked.get(p));
        assertThat(mine).as("producer %d's order", p).isSortedAccordingTo(KafkaOutageEndToEndTest::bySequence);
      }
    }
  }

  private void produce(TestServer node, int producer) {
    List<String> mine = acked.computeIfAbsent(producer, p -> new ArrayList<>());
    for (int batch = 0; producing.get(); batch++) {
      int first = batch * BATCH;
      List<String> ids = IntStream.range(first, first + BATCH).mapToObj(i -> "k" + producer + "-" + i).toList();
      String body = Envelopes.array(ids.stream().map(id -> Envelopes.log(id, agent(producer), "k-run-" + producer))
          .toList());
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
    return "kafka-agent-" + producer;
  }

  private static int bySequence(String a, String b) {
    return Integer.compare(Integer.parseInt(a.substring(a.indexOf('-') + 1)),
        Integer.parseInt(b.substring(b.indexOf('-') + 1)));
  }

  private static int count(TestPostgres postgres) {
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + SCHEMA + ".events WHERE type = 'log'")) {
      rs.next();
      return rs.getInt(1);
    } catch (Exception e) {
      return -1;
    }
  }

  private static Map<String, List<String>> storedByAgent(TestPostgres postgres) throws Exception {
    Map<String, List<String>> byAgent = new HashMap<>();
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT agent_id, id FROM " + SCHEMA
             + ".events WHERE type = 'log' ORDER BY partition, off")) {
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
