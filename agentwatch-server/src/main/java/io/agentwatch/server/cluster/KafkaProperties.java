package io.agentwatch.server.cluster;

import io.agentwatch.kafka.KafkaLogConfig;
import io.agentwatch.kafka.PersisterConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentwatch.kafka.*}: the log's topic and how to reach it, mapped onto
 * {@link KafkaLogConfig} and {@link PersisterConfig}, which validate the values
 * (agentwatch-kafka/README.md).
 *
 * @param nodeId        this node's name, unique in the deployment and stable across its restarts;
 *                      blank means the host name and the HTTP port, which is both on one machine
 * @param idReservation how long an event id reserved by a writer is held before another writer may
 *                      write it (a node that died mid-write holds its ids this long); well above
 *                      the longest write, twice {@code appendTimeout} at least
 * @param idRetention   how long a written id is remembered, so a retry within it is a duplicate
 *                      (later ones are dropped by the history and the live tails)
 */
@ConfigurationProperties("agentwatch.kafka")
public record KafkaProperties(
    String bootstrap,
    String topic,
    int partitions,
    short replicationFactor,
    String nodeId,
    Duration appendTimeout,
    Duration readTimeout,
    Duration pendingWait,
    Duration idReservation,
    Duration idRetention,
    Persister persister,
    Map<String, String> properties) {

  /** The consumer group that writes the topic into the PostgreSQL history. */
  public record Persister(String group, int batch, Duration retryBackoff) {}

  /** @throws IllegalArgumentException naming the setting that is missing or wrong */
  KafkaLogConfig toConfig(int httpPort) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException(
          "agentwatch.log=kafka needs agentwatch.kafka.bootstrap (AGENTWATCH_KAFKA_BOOTSTRAP), e.g. localhost:9092");
    }
    if (idReservation == null || appendTimeout == null || idReservation.compareTo(appendTimeout.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("agentwatch.kafka.id-reservation must be at least twice append-timeout ("
          + appendTimeout + ") but was " + idReservation);
    }
    if (idRetention == null || idRetention.compareTo(idReservation) < 0) {
      throw new IllegalArgumentException("agentwatch.kafka.id-retention must be at least id-reservation ("
          + idReservation + ") but was " + idRetention);
    }
    String node = nodeId == null || nodeId.isBlank() ? defaultNodeId(httpPort) : nodeId;
    return new KafkaLogConfig(bootstrap, topic, partitions, replicationFactor, node, appendTimeout, readTimeout,
        pendingWait, properties == null ? Map.of() : properties);
  }

  PersisterConfig persisterConfig(KafkaLogConfig log) {
    return PersisterConfig.history(log).withGroupId(persister.group())
        .withBatching(persister.batch(), persister.retryBackoff());
  }

  private static String defaultNodeId(int httpPort) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "node";
    }
    String clean = host.replaceAll("[^a-zA-Z0-9._-]", "-");
    return (clean.length() > 50 ? clean.substring(0, 50) : clean) + "-" + httpPort;
  }
}
