package io.agentwatch.kafka;

import io.agentwatch.core.testing.RequiredService;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Kafka broker in the test JVM: one KRaft node that is both controller and broker, started
 * once per JVM on a random loopback port and stopped when the JVM exits.
 */
final class TestBroker {

  private static KafkaClusterTestKit shared;
  private static String failure;

  private TestBroker() {}

  /** The shared broker's bootstrap address; skips (or fails in CI) when it cannot start. */
  static synchronized String bootstrap() {
    if (shared == null && failure == null) {
      try {
        shared = start();
        KafkaClusterTestKit started = shared;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopWithin(started, Duration.ofSeconds(10))));
      } catch (Exception e) {
        failure = e.toString();
      }
    }
    RequiredService.require(shared != null, "an in-process Kafka broker (" + failure + ")",
        "the broker runs from the kafka_2.13 and kafka-test-common-runtime test jars; check the JVM can bind 127.0.0.1");
    return shared.bootstrapServers();
  }

  /** A new single-node cluster (the caller stops it). */
  static KafkaClusterTestKit start() throws Exception {
    TestKitNodes nodes = new TestKitNodes.Builder()
        .setCombined(true)
        .setNumBrokerNodes(1)
        .setNumControllerNodes(1)
        .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
        .build();
    KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
        .setConfigProp("offsets.topic.replication.factor", "1")
        .setConfigProp("offsets.topic.num.partitions", "3")
        .setConfigProp("transaction.state.log.replication.factor", "1")
        .setConfigProp("transaction.state.log.min.isr", "1")
        .setConfigProp("transaction.state.log.num.partitions", "3")
        .setConfigProp("group.initial.rebalance.delay.ms", "0")
        .setConfigProp("group.consumer.min.session.timeout.ms", "1000")
        .setConfigProp("group.consumer.heartbeat.interval.ms", "500")
        .setConfigProp("group.consumer.min.heartbeat.interval.ms", "500")
        .setConfigProp("auto.create.topics.enable", "false")
        .setConfigProp("num.network.threads", "2")
        .setConfigProp("num.io.threads", "2")
        .setConfigProp("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE))
        .setDeleteOnClose(true)
        .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }

  /** Stops the broker at exit, but never holds the JVM (and the build) past {@code limit}. */
  private static void stopWithin(KafkaClusterTestKit cluster, Duration limit) {
    Thread stopper = Thread.ofPlatform().daemon(true).start(() -> stop(cluster));
    try {
      stopper.join(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void stop(KafkaClusterTestKit cluster) {
    try {
      cluster.close();
    } catch (Exception e) {
      System.err.println("could not stop the test broker: " + e);
    }
  }

  /** A topic name no other test uses. */
  static String freshTopic(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** The log's settings for tests: a small topic, one replica, short timeouts. */
  static KafkaLogConfig config(String bootstrap, String topic) {
    return KafkaLogConfig.of(bootstrap, topic, "node-" + UUID.randomUUID().toString().substring(0, 6))
        .withTopicShape(3, (short) 1)
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMillis(300))
        .withClientProperties(Map.of());
  }
}
