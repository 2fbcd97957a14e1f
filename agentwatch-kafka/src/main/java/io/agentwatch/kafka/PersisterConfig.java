package io.agentwatch.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link KafkaPersister} follows the log.
 *
 * @param log          the log's cluster, topic and client properties (its node id names the
 *                     dead-letter producer)
 * @param groupId      the consumer group: one per kind of follower ({@code agentwatch-persister}
 *                     for history, another for analytics); nodes of one group share the partitions
 * @param batchSize    most records handed to the sink at once
 * @param retryBackoff wait before retrying a batch the sink could not take
 */
public record PersisterConfig(KafkaLogConfig log, String groupId, int batchSize, Duration retryBackoff) {

  public PersisterConfig {
    Objects.requireNonNull(log, "log");
    if (groupId == null || groupId.isBlank() || groupId.length() > 255) {
      throw new IllegalArgumentException("groupId must be 1-255 characters but was " + groupId);
    }
    if (batchSize < 1 || batchSize > 50_000) {
      throw new IllegalArgumentException("batchSize must be 1..50000 but was " + batchSize);
    }
    KafkaLogConfig.requirePositive("retryBackoff", retryBackoff);
  }

  /** History: group {@code agentwatch-persister}, batches of 1,000, 1 s between retries. */
  public static PersisterConfig history(KafkaLogConfig log) {
    return new PersisterConfig(log, "agentwatch-persister", 1_000, Duration.ofSeconds(1));
  }

  public PersisterConfig withGroupId(String newGroupId) {
    return new PersisterConfig(log, newGroupId, batchSize, retryBackoff);
  }

  public PersisterConfig withBatching(int newBatchSize, Duration newRetryBackoff) {
    return new PersisterConfig(log, groupId, newBatchSize, newRetryBackoff);
  }

  Map<String, String> clientProperties() {
    return log.clientProperties();
  }
}
