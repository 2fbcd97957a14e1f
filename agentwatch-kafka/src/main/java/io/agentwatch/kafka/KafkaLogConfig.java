package io.agentwatch.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach and shape the Kafka topic of the log.
 *
 * @param bootstrapServers  {@code host:port,…} of the cluster
 * @param topic             the log's topic (created with {@code partitions} and
 *                          {@code replicationFactor} if missing; its dead letters go to
 *                          {@code <topic>.dlq})
 * @param partitions        partitions of a topic created here; fixed afterwards, since adding
 *                          partitions moves keys and would break per-agent order
 * @param replicationFactor replicas of a topic created here (3 in production, with the broker's
 *                          {@code min.insync.replicas=2}, so {@code acks=all} means two copies)
 * @param nodeId            this server's name, unique in the deployment and stable across its
 *                          restarts: the producer's transactional id is made from it, so a
 *                          restarted node fences its former self and aborts what that left open
 * @param appendTimeout     longest an append waits for Kafka, queued behind other groups included,
 *                          before it fails as unavailable
 * @param readTimeout       longest wait for one read or head request
 * @param pendingWait       how long an append waits for an event id that another writer holds
 *                          (a concurrent retry, or a node that died mid-write) before it fails as
 *                          unavailable and the client retries later
 * @param clientProperties  extra properties given to every Kafka client (security, TLS)
 */
public record KafkaLogConfig(
    String bootstrapServers,
    String topic,
    int partitions,
    short replicationFactor,
    String nodeId,
    Duration appendTimeout,
    Duration readTimeout,
    Duration pendingWait,
    Map<String, String> clientProperties) {

  /** Kafka's legal topic characters; the length leaves room for the {@code .dlq} suffix. */
  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,240}");
  private static final Pattern NODE = Pattern.compile("[a-zA-Z0-9._-]{1,64}");

  public KafkaLogConfig {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrapServers must be host:port[,host:port…] but was " + bootstrapServers);
    }
    if (topic == null || !TOPIC.matcher(topic).matches()) {
      throw new IllegalArgumentException("topic must be 1-240 of a-z A-Z 0-9 . _ - but was " + topic);
    }
    if (partitions < 1 || partitions > 4096) {
      throw new IllegalArgumentException("partitions must be 1..4096 but was " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException("replicationFactor must be at least 1 but was " + replicationFactor);
    }
    if (nodeId == null || !NODE.matcher(nodeId).matches()) {
      throw new IllegalArgumentException("nodeId must be 1-64 of a-z A-Z 0-9 . _ - but was " + nodeId);
    }
    requirePositive("appendTimeout", appendTimeout);
    requirePositive("readTimeout", readTimeout);
    requirePositive("pendingWait", pendingWait);
    clientProperties = Map.copyOf(Objects.requireNonNull(clientProperties, "clientProperties"));
  }

  /** The defaults: 12 partitions, 3 replicas, 10 s timeouts, 2 s wait for a held id. */
  public static KafkaLogConfig of(String bootstrapServers, String topic, String nodeId) {
    return new KafkaLogConfig(bootstrapServers, topic, 12, (short) 3, nodeId, Duration.ofSeconds(10),
        Duration.ofSeconds(10), Duration.ofSeconds(2), Map.of());
  }

  public KafkaLogConfig withTopicShape(int newPartitions, short newReplicationFactor) {
    return new KafkaLogConfig(bootstrapServers, topic, newPartitions, newReplicationFactor, nodeId, appendTimeout,
        readTimeout, pendingWait, clientProperties);
  }

  public KafkaLogConfig withTimeouts(Duration newAppendTimeout, Duration newReadTimeout, Duration newPendingWait) {
    return new KafkaLogConfig(bootstrapServers, topic, partitions, replicationFactor, nodeId, newAppendTimeout,
        newReadTimeout, newPendingWait, clientProperties);
  }

  public KafkaLogConfig withClientProperties(Map<String, String> properties) {
    return new KafkaLogConfig(bootstrapServers, topic, partitions, replicationFactor, nodeId, appendTimeout,
        readTimeout, pendingWait, properties);
  }

  /** The dead-letter topic of this log's topic. */
  public String deadLetterTopic() {
    return topic + ".dlq";
  }

  static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive but was " + d);
    }
  }
}
