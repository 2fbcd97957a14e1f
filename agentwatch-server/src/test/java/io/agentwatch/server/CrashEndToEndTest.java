package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.Emission;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 1 with a real process: the server runs as its own JVM, several producers ingest, the
 * server is killed with SIGKILL mid-stream, and after a restart every acknowledged event is
 * there exactly once, in each agent's order; resending what was not acknowledged is harmless.
 */
class CrashEndToEndTest {

  private static final int PRODUCERS = 4;
  private static final int BATCH = 50;

  @TempDir
  Path data;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void everyAcknowledgedEventSurvivesKillDashNineExactlyOnce() throws Exception {
    int port = freePort();
    Process server = startServer(port);
    Map<Integer, List<String>> acked = new ConcurrentHashMap<>();
    Map<Integer, Integer> sentBatches = new ConcurrentHashMap<>();
    List<Thread> producers = new ArrayList<>();
    try {
      awaitHealthy(port);
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        acked.put(producer, new ArrayList<>());
        producers.add(Thread.ofVirtual().start(() -> produceUntilRefused(port, producer, acked.get(producer),
            sentBatches)));
      }
      TestServer.await("producers acknowledged some events", 60,
          () -> acked.values().stream().mapToInt(List::size).sum() >= 2_000);
    } finally {
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    for (Thread t : producers) {
      t.join(Duration.ofSeconds(30));
    }

    Process restarted = startServer(port);
    try {
      awaitHealthy(port);
      Map<String, List<String>> stored = storedByAgent(port);
      for (int p = 0; p < PRODUCERS; p++) {
        List<String> mine = stored.getOrDefault("crash-agent-" + p, List.of());
        assertThat(mine).as("producer %d's events", p).doesNotHaveDuplicates().containsAll(acked.get(p));
        assertThat(mine).as("producer %d's order", p).isSortedAccordingTo(CrashEndToEndTest::bySequence);
      }

      // A producer retries what it did not get acknowledged: duplicates are harmless.
      for (int p = 0; p < PRODUCERS; p++) {
        for (int b = 0; b <= sentBatches.getOrDefault(p, 0); b++) {
          assertThat(post(port, batchBody(p, b)).statusCode()).isIn(200, 422);
        }
      }
      Map<String, List<String>> after = storedByAgent(port);
      for (int p = 0; p < PRODUCERS; p++) {
        List<String> mine = after.get("crash-agent-" + p);
        assertThat(mine).doesNotHaveDuplicates().isSortedAccordingTo(CrashEndToEndTest::bySequence);
        assertThat(new HashSet<>(mine)).hasSize((sentBatches.getOrDefault(p, 0) + 1) * BATCH);
      }
    } finally {
      restarted.destroy();
      restarted.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Issue 7's SDK promise with a real process: agents emit through the SDK while the server is
   * killed with SIGKILL and started again; whatever they emitted, acknowledged or still buffered,
   * ends up stored exactly once, in each agent's emit order.
   */
  @Test
  void theSdkLosesAndDuplicatesNothingWhenTheServerIsKilledMidStream() throws Exception {
    int port = freePort();
    Process server = startServer(port);
    List<AgentwatchClient> clients = new ArrayList<>();
    List<List<String>> emitted = new ArrayList<>();
    try {
      awaitHealthy(port);
      for (int a = 0; a < 3; a++) {
        clients.add(AgentwatchClient.builder(URI.create("http://127.0.0.1:" + port + "/")).apiKey(ADMIN_KEY)
            .agentId("sdk-crash-agent-" + a).runId("crash-run").backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .build());
        emitted.add(new ArrayList<>());
      }
      clients.forEach(AgentwatchClient::start);
      emit(clients, emitted, 300);
      TestServer.await("some events acknowledged", 60, () -> clients.stream().allMatch(c -> c.stats().acked() > 50));
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      emit(clients, emitted, 200);   // buffered while the server is down

      server = startServer(port);
      awaitHealthy(port);
      emit(clients, emitted, 100);
      for (AgentwatchClient c : clients) {
        assertThat(c.flush(Duration.ofSeconds(60))).as("flushed " + c.agentId()).isTrue();
      }
      Map<String, List<String>> stored = storedByAgent(port);
      for (int a = 0; a < clients.size(); a++) {
        assertThat(clients.get(a).stats().dropped()).isZero();
        assertThat(stored.get("sdk-crash-agent-" + a)).as("agent %d: stored once, in emit order", a)
            .containsExactlyElementsOf(emitted.get(a));
      }
    } finally {
      clients.forEach(c -> c.close(Duration.ofSeconds(5)));
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static void emit(List<AgentwatchClient> clients, List<List<String>> emitted, int each) {
    for (int i = 0; i < each; i++) {
      for (int a = 0; a < clients.size(); a++) {
        Emission e = clients.get(a).emit("tool.called", Map.of("tool", "step-" + i));
        assertThat(e.accepted()).isTrue();
        emitted.get(a).add(e.id());
      }
    }
  }

  private void produceUntilRefused(int port, int producer, List<String> acked, Map<Integer, Integer> sentBatches) {
    for (int b = 0; b < 100_000; b++) {
      sentBatches.put(producer, b);
      try {
        HttpResponse<String> r = post(port, batchBody(producer, b));
        if (r.statusCode() != 200) {
          return;
        }
        JsonNode answer = json(r.body());
        assertThat(answer.get("accepted").intValue() + answer.get("duplicates").intValue()).isEqualTo(BATCH);
        synchronized (acked) {
          for (int i = 0; i < BATCH; i++) {
            acked.add(id(producer, b, i));
          }
        }
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private HttpResponse<String> post(int port, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/events"))
        .timeout(Duration.ofSeconds(20))
        .header("Authorization", "Bearer " + ADMIN_KEY)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String batchBody(int producer, int batch) {
    return Envelopes.array(IntStream.range(0, BATCH)
        .mapToObj(i -> Envelopes.log(id(producer, batch, i), "crash-agent-" + producer, "crash-run")).toList());
  }

  private static String id(int producer, int batch, int i) {
    return "c" + producer + "-" + (batch * BATCH + i);
  }

  private static int bySequence(String a, String b) {
    return Integer.compare(Integer.parseInt(a.substring(a.indexOf('-') + 1)),
        Integer.parseInt(b.substring(b.indexOf('-') + 1)));
  }

  private Map<String, List<String>> storedByAgent(int port) throws Exception {
    Map<String, List<String>> byAgent = new HashMap<>();
    Set<String> seen = new HashSet<>();
    String next = null;
    do {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/api/v1/events?runId=crash-run&limit=1000" + (next == null ? "" : "&after=" + next)))
          .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode page = json(r.body());
      for (JsonNode e : page.get("events")) {
        String id = e.get("id").stringValue();
        assertThat(seen.add(id)).as("event %s stored once", id).isTrue();
        byAgent.computeIfAbsent(e.get("agentId").stringValue(), k -> new ArrayList<>()).add(id);
      }
      next = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (next != null);
    return byAgent;
  }

  private Process startServer(int port) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = Files.createTempFile(data.getParent(), "crash-server", ".log");
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        AgentwatchApplication.class.getName(),
        "--server.port=" + port, "--agentwatch.data-dir=" + data, "--agentwatch.admin-key=" + ADMIN_KEY,
        "--logging.level.root=WARN")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private void awaitHealthy(int port) {
    TestServer.await("server on port " + port + " healthy", 60, () -> {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    });
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
