package io.agentwatch.bench;

import io.agentwatch.core.log.InMemoryIdLedger;
import io.agentwatch.kafka.KafkaLogConfig;
import io.agentwatch.redis.RedisConnections;
import io.agentwatch.redis.RedisIdLedger;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * The distributed deployment's benchmarks, in one run so they share the machine's state: raw Kafka
 * producer ({@link KafkaBaseline}), durable appends through the Kafka log with an in-process and a
 * Redis id ledger ({@link KafkaLogBench}), and raw Redis Pub/Sub ({@link RedisBaseline}). Prints a
 * Markdown table.
 *
 * <pre>
 *   java -cp 'agentwatch-bench.jar:lib/*' io.agentwatch.bench.ScaleOutBench [--kafka host:port]
 *       [--redis redis://127.0.0.1:6379] [--duration 10s] [--warmup 5s] [--producers 8] [--batch 100]
 * </pre>
 * Without {@code --kafka} a single-node KRaft broker runs inside this JVM, sharing its cores.
 * Without a reachable Redis the Redis rows are left out.
 */
public final class ScaleOutBench {

  private ScaleOutBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    Duration duration = BenchOptions.duration(opts.getOrDefault("duration", "10s"));
    int producers = Integer.parseInt(opts.getOrDefault("producers", "8"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "100"));
    Duration warmup = BenchOptions.duration(opts.getOrDefault("warmup", "5s"));
    String redisUrl = opts.getOrDefault("redis", "redis://127.0.0.1:6379");
    KafkaClusterTestKit embedded = null;
    String bootstrap = opts.get("kafka");
    if (bootstrap == null) {
      embedded = startEmbeddedBroker();
      bootstrap = embedded.bootstrapServers();
    }
    List<String> rows = new ArrayList<>();
    try {
      String run = UUID.randomUUID().toString().substring(0, 8);
      KafkaBaseline.Result raw = new KafkaBaseline(bootstrap).run("bench-raw-" + run, duration);
      rows.add(row("Kafka baseline: raw idempotent producer, acks=all, 1 partition key", raw.recordsPerSecond(),
          "send→ack " + raw.sendToAck().text()));
      KafkaLogConfig config = KafkaLogConfig.of(bootstrap, "bench-log-" + run, "bench")
          .withTopicShape(12, (short) 1);
      KafkaLogBench logBench = new KafkaLogBench(config);
      if (!warmup.isZero()) {
        // Unmeasured: the JIT compiles the client and broker paths before the rows that count.
        logBench.run("warm-up", new InMemoryIdLedger(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofHours(1)),
            producers, batch, warmup);
      }
      KafkaLogBench.Result inMemory = logBench.run("in-process ledger",
          new InMemoryIdLedger(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofHours(1)), producers, batch,
          duration);
      rows.add(row("KafkaEventLog, " + inMemory.ledger() + ", " + producers + " producers × " + batch + " events",
          inMemory.eventsPerSecond(), "append→ack " + inMemory.appendToAck().text()));
      if (reachable(redisUrl)) {
        try (RedisConnections redis = RedisConnections.open(redisUrl, "agentwatch-bench:" + run + ":",
            Duration.ofSeconds(5))) {
          KafkaLogBench.Result shared = new KafkaLogBench(config).run("Redis ledger",
              new RedisIdLedger(redis, Duration.ofSeconds(30), Duration.ofHours(1)), producers, batch, duration);
          rows.add(row("KafkaEventLog, " + shared.ledger() + ", " + producers + " producers × " + batch + " events",
              shared.eventsPerSecond(), "append→ack " + shared.appendToAck().text()));
        }
        RedisBaseline.Result pubsub = new RedisBaseline(redisUrl).run(duration);
        rows.add(row("Redis baseline: raw Pub/Sub of cursor notices", pubsub.messagesPerSecond(),
            "publish→receive " + pubsub.publishToReceive().text()));
      } else {
        System.err.println("[ScaleOutBench] no Redis at " + redisUrl + "; leaving out the Redis rows");
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
    System.out.println("| " + Machine.describe() + " | per second | latency p50 / p99 / max (ms) |");
    System.out.println("|---|---:|---|");
    rows.forEach(System.out::println);
  }

  private static String row(String what, double perSecond, String latency) {
    return "| " + what + " | " + Report.rate(perSecond) + " | " + latency + " |";
  }

  private static KafkaClusterTestKit startEmbeddedBroker() throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
        .setBootstrapMetadataVersion(MetadataVersion.latestProduction()).build();
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setDeleteOnClose(true)
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  private static boolean reachable(String url) {
    URI uri = URI.create(url);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static Map<String, String> parse(String[] args) {
    java.util.LinkedHashMap<String, String> out = new java.util.LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: ScaleOutBench [--kafka host:port] [--redis url] [--duration 10s]"
            + " [--warmup 5s] [--producers 8] [--batch 100]; could not read '" + a + "'");
      }
      out.put(a.substring(2), args[++i]);
    }
    return out;
  }
}
