package io.agentwatch.kafka;

import io.agentwatch.core.Digests;
import io.agentwatch.core.log.UnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Finds or creates the log's topics, and names the store they hold. */
final class Topics {

  /**
   * The log's topic as found.
   *
   * @param storeId     the cursor store id: a hash of the cluster id, topic name and topic id, so
   *                    a wiped cluster or a re-created topic makes old cursors stale
   * @param partitions  the topic's partitions
   * @param replication replicas per partition
   */
  record Topic(String storeId, int partitions, short replication) {}

  private Topics() {}

  /**
   * The topic {@code config} names, created with its partitions and replicas if missing.
   *
   * @throws UnavailableException when the cluster does not answer within {@code timeout}
   */
  static Topic ensure(Admin admin, String name, int partitions, short replication, Duration timeout) {
    try {
      TopicDescription d = describeOrCreate(admin, name, partitions, replication, timeout);
      String clusterId = admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      String storeId = Digests.sha256Hex(clusterId + "/" + name + "/" + d.topicId()).substring(0, 24);
      return new Topic(storeId, d.partitions().size(), (short) d.partitions().getFirst().replicas().size());
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new UnavailableException("cannot reach the Kafka cluster to open topic " + name + ": " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while opening topic " + name, e);
    }
  }

  private static TopicDescription describeOrCreate(Admin admin, String name, int partitions, short replication,
      Duration timeout) throws ExecutionException, TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return admin.describeTopics(List.of(name)).allTopicNames().get(remaining(deadline), TimeUnit.MILLISECONDS)
            .get(name);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      try {
        NewTopic topic = new NewTopic(name, partitions, replication)
            .configs(Map.of("message.timestamp.type", "CreateTime"));
        admin.createTopics(List.of(topic)).all().get(remaining(deadline), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      // Metadata of a new topic reaches every broker shortly after creation: describe again.
      if (remaining(deadline) <= 0) {
        throw new TimeoutException("topic " + name + " was not visible within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  private static long remaining(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }
}
