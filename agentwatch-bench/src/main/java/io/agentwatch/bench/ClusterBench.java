package io.agentwatch.bench;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.storage.postgres.PostgresConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Distributed ingest of a running cluster (scripts/cluster-start.sh), beside same-run baselines of
 * the backends it stands on: {@code COPY} into PostgreSQL and a raw Kafka producer. Then, through
 * the nodes' public protocol: WebSocket ingest at its peak through one node and through all
 * nodes at once (each event acknowledged durable), and end-to-end latency — producer's send to a
 * subscriber's receipt — at a paced rate, with producers and subscribers on one node, and spread
 * over the nodes (each subscriber on another node than some producer, so events cross the shared
 * log). Every run is read back from history and compared, id by id, with what was acknowledged.
 *
 * <pre>
 * java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*' \
 *   io.agentwatch.bench.ClusterBench --nodes http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083 \
 *   --key "$(cat cluster/admin-key)" --postgres jdbc:postgresql://127.0.0.1:15432/postgres \
 *   [--kafka 127.0.0.1:19092] [--duration 15s] [--sockets 6] [--window 4] [--batch 100] [--rate 2000]
 *   [--paced-producers 8] [--subscribers 6]
 * </pre>
 * Without {@code --kafka} the Kafka baseline is left out (a cluster on PostgreSQL alone).
 */
public final class ClusterBench {

  private static final Duration PAUSE = Duration.ofSeconds(3);

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = parse(args);
    List<URI> nodes = Arrays.stream(require(o, "nodes").split(",")).map(String::trim).map(URI::create).toList();
    String key = require(o, "key");
    String postgres = require(o, "postgres");
    String schema = o.getOrDefault("schema", "agentwatch");
    String kafka = o.get("kafka");
    Duration duration = BenchOptions.duration(o.getOrDefault("duration", "15s"));
    int sockets = Integer.parseInt(o.getOrDefault("sockets", "6"));
    int window = Integer.parseInt(o.getOrDefault("window", "4"));
    int batch = Integer.parseInt(o.getOrDefault("batch", "100"));
    double rate = Double.parseDouble(o.getOrDefault("rate", "2000"));
    int subscribers = Integer.parseInt(o.getOrDefault("subscribers", "6"));
    int pacedProducers = Integer.parseInt(o.getOrDefault("paced-producers", "8"));
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    CpuMeter cpu = new CpuMeter(0);
    List<String> rows = new ArrayList<>();
    List<IdLedger> ledgers = new ArrayList<>();

    log("baseline: COPY into PostgreSQL for " + duration.toSeconds() + " s");
    PostgresCopyBaseline.Result copy = new PostgresCopyBaseline(PostgresConfig.of(postgres, "postgres", "")
        .withSchema("bench_copy_" + Long.toString(System.currentTimeMillis(), 36))).run(template(), duration, 1000);
    rows.add(row("baseline: `COPY` into PostgreSQL's events table, 1,000 rows per commit", copy.rowsPerSecond(), "—",
        "—"));
    if (kafka != null) {
      Thread.sleep(PAUSE);
      log("baseline: raw Kafka producer for " + duration.toSeconds() + " s");
      String topic = "bench-raw-" + stamp;
      createTopic(kafka, topic);
      KafkaBaseline.Result raw = new KafkaBaseline(kafka).run(topic, duration);
      rows.add(row("baseline: raw Kafka producer (idempotent, `acks=all`, lz4), one topic", raw.recordsPerSecond(),
          raw.sendToAck().text() + " (send→ack)", "—"));
    }

    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
      int[] widths = IntStream.of(1, nodes.size()).distinct().toArray();
      for (int n : widths) {
        Thread.sleep(PAUSE);
        IdLedger ledger = ledger(ledgers, stamp, "ws" + n);
        log("WebSocket ingest peak through " + n + " node(s): " + sockets + " sockets × " + window + " × " + batch);
        List<PhaseResult> parts = parallel(nodes.subList(0, n), (node, first) -> new WsIngest(client, node, key, cpu)
            .run(new WsIngest.Plan("ws", new Envelopes(ledger.runId()), Math.max(1, sockets / n), window, batch,
                duration), ledger, first));
        double perSecond = parts.stream().mapToDouble(PhaseResult::eventsPerSecond).sum();
        rows.add(row("ingest peak through " + n + " node" + (n > 1 ? "s" : "") + " (WebSocket, " + sockets
            + " sockets, " + window + " publishes of " + batch + " in flight)", perSecond, worst(parts), "—"));
        log(String.format(Locale.ROOT, "  %,.0f events/s", perSecond));
      }
      for (int n : widths) {
        Thread.sleep(PAUSE);
        IdLedger ledger = ledger(ledgers, stamp, "e2e" + n);
        log(String.format(Locale.ROOT, "end-to-end through %d node(s) at %,.0f events/s, %d subscribers", n, rate,
            subscribers));
        List<URI> used = nodes.subList(0, n);
        List<Subscribers> crowds = new ArrayList<>();
        try (HttpClient subscriberClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build()) {
          for (int i = 0; i < used.size(); i++) {
            // Spread: the subscribers of node i+1 hear the producers of every node, most of them elsewhere.
            crowds.add(Subscribers.open(subscriberClient, false, used.get(i), key, ledger.runId(),
                Math.max(1, subscribers / n), false));
          }
          List<PhaseResult> parts = parallel(used, (node, first) -> new HttpIngest(client, node, key, cpu).run(
              new HttpIngest.Plan("e2e", new Envelopes(ledger.runId()), Math.max(1, pacedProducers / n), 20, duration,
                  rate / n), ledger, first));
          List<Subscribers.Result> heard = new ArrayList<>();
          for (Subscribers crowd : crowds) {
            heard.add(crowd.await(ledger.ackedCount(), Duration.ofSeconds(10), Duration.ofSeconds(60)));
            crowd.close();
          }
          double perSecond = parts.stream().mapToDouble(PhaseResult::eventsPerSecond).sum();
          String delivery = heard.stream().map(h -> h.latency().text()).reduce((a, b) -> a + "; " + b).orElse("—");
          long missing = heard.stream().mapToLong(h -> h.expected() - h.min()).sum();
          rows.add(row("end-to-end through " + n + " node" + (n > 1 ? "s" : "") + " (paced HTTP producers, "
              + subscribers + " WebSocket subscribers" + (n > 1 ? " spread over the nodes" : "") + ")"
              + (missing > 0 ? " — " + missing + " events not delivered" : ""), perSecond, worst(parts), delivery));
          log("  delivery p50 / p99 / max " + delivery + " ms");
        }
      }

      List<String> checks = new ArrayList<>();
      for (IdLedger ledger : ledgers) {
        awaitHistory(postgres, schema, ledger);
        IdLedger.Comparison c = new HistoryCheck(client, nodes.getLast(), key).check(ledger);
        checks.add(c.runId() + ": " + c.acked() + " acked, " + c.found() + " in history, " + c.missing() + " missing, "
            + c.duplicates() + " twice");
      }
      System.out.println("| what | events/s | ack p50 / p99 / max ms | end-to-end p50 / p99 / max ms |");
      System.out.println("|---|---:|---|---|");
      rows.forEach(System.out::println);
      System.out.println();
      System.out.println("History read back through " + nodes.getLast() + ":");
      checks.forEach(c -> System.out.println("- " + c));
    }
  }

  private interface NodeRun {
    /** @param firstProducer this node's producers are numbered from here (event ids stay unique) */
    PhaseResult run(URI node, int firstProducer) throws Exception;
  }

  /** The same phase on several nodes at once, each node's producers numbered apart. */
  private static List<PhaseResult> parallel(List<URI> nodes, NodeRun phase) throws Exception {
    List<PhaseResult> results = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Exception[] failure = new Exception[1];
    for (int i = 0; i < nodes.size(); i++) {
      URI node = nodes.get(i);
      int firstProducer = i * 1000;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          PhaseResult r = phase.run(node, firstProducer);
          synchronized (results) {
            results.add(r);
          }
        } catch (Exception e) {
          failure[0] = e;
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return results;
  }

  /** The baseline's topic, shaped like the log's (the cluster's broker creates no topic by itself). */
  private static void createTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** The slowest node's acknowledgement percentiles. */
  private static String worst(List<PhaseResult> parts) {
    return parts.stream().max((a, b) -> Double.compare(a.ackLatency().p99Ms(), b.ackLatency().p99Ms()))
        .map(p -> p.ackLatency().text()).orElse("—");
  }

  /** With Kafka the history is written by a consumer group: wait until it holds the run's acked events. */
  private static void awaitHistory(String url, String schema, IdLedger ledger) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try (Connection c = DriverManager.getConnection(url, "postgres", "");
         PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema + ".events WHERE run_id = ?")) {
      ps.setString(1, ledger.runId());
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getLong(1) >= ledger.ackedCount()) {
            return;
          }
        }
        Thread.sleep(500);
      }
    }
  }

  private static IdLedger ledger(List<IdLedger> ledgers, String stamp, String phase) {
    IdLedger ledger = new IdLedger("cbench-" + stamp + "-" + phase);
    ledgers.add(ledger);
    return ledger;
  }

  private static String row(String what, double perSecond, String ack, String delivery) {
    return String.format(Locale.ROOT, "| %s | %,.0f | %s | %s |", what, perSecond, ack, delivery);
  }

  /** The bench's ~1 KB log event, decoded once, for the COPY baseline. */
  private static List<Event> template() {
    StringBuilder sb = new StringBuilder();
    new Envelopes("cbench").appendEvent(sb, 0, 0, Instant.now().toString(), System.nanoTime());
    return List.of(EventCodec.decode(EventCodec.JSON.readTree(sb.toString())));
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: ClusterBench --nodes url,url,… --key KEY --postgres JDBC-URL"
            + " [--schema agentwatch] [--kafka host:port] [--duration 15s] [--sockets 6] [--window 4] [--batch 100]"
            + " [--rate 2000] [--paced-producers 8] [--subscribers 6]; could not read '" + args[i] + "'");
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  private static String require(Map<String, String> o, String name) {
    String v = o.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  private static void log(String line) {
    System.err.println("[cluster-bench] " + line);
  }
}
