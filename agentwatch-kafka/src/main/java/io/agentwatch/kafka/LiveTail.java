package io.agentwatch.kafka;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * This node's live view of the whole topic: one consumer outside any consumer group, assigned
 * every partition from the end as it was when the log opened, so every node sees every committed
 * event and hands it to its own listeners (the fan-out to its subscribers). Batches are delivered
 * on this consumer's thread, in offset order per partition.
 *
 * <p>A record whose (tenant, id) this tail delivered recently is dropped: the rare second copy of
 * a retried event (see KafkaEventLog) never reaches a live subscriber twice. "Recently" is the last
 * {@link #RECENT_IDS} ids.
 */
final class LiveTail implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LiveTail.class.getName());
  static final int RECENT_IDS = 100_000;
  private static final Duration POLL = Duration.ofMillis(500);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Boolean> recent = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > RECENT_IDS;
    }
  };
  private final Thread thread;
  private Cursor position;
  private volatile boolean closed;

  /** Assigns every partition at its current end (a blocking call), then starts the thread. */
  static LiveTail start(KafkaLogConfig config, String storeId, int partitionCount) {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(LogReader.consumerProperties(config));
    try {
      List<TopicPartition> tps = new ArrayList<>(partitionCount);
      for (int p = 0; p < partitionCount; p++) {
        tps.add(new TopicPartition(config.topic(), p));
      }
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      // Resolved now, not at the first poll: an event committed after open() returns is never skipped.
      Cursor position = Cursor.beginning(storeId, partitionCount);
      for (TopicPartition tp : tps) {
        long next = consumer.position(tp, config.readTimeout());
        if (next > 0) {
          position = position.advance(tp.partition(), next - 1);
        }
      }
      LiveTail tail = new LiveTail(consumer, position);
      tail.thread.start();
      return tail;
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  private LiveTail(KafkaConsumer<byte[], byte[]> consumer, Cursor position) {
    this.consumer = consumer;
    this.position = position;
    this.thread = Thread.ofPlatform().name("kafka-log-tail").daemon(true).unstarted(this::run);
  }

  AutoCloseable add(Consumer<List<StoredEvent>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  boolean isRunning() {
    return thread.isAlive();
  }

  private void run() {
    try {
      while (!closed) {
        try {
          deliver(consumer.poll(POLL));
        } catch (WakeupException e) {
          // close() woke the poll.
        } catch (RuntimeException e) {
          if (!closed) {
            LOG.log(System.Logger.Level.WARNING, "the live tail cannot read Kafka; retrying", e);
            sleep();
          }
        }
      }
    } finally {
      consumer.close(Duration.ZERO);
    }
  }

  private void deliver(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    List<StoredEvent> batch = new ArrayList<>(records.count());
    for (ConsumerRecord<byte[], byte[]> r : records) {
      position = position.advance(r.partition(), r.offset());
      Records.Meta meta;
      try {
        meta = Records.meta(r);
      } catch (PoisonRecordException e) {
        LOG.log(System.Logger.Level.WARNING, "skipping record " + r.partition() + "@" + r.offset() + ": "
            + e.getMessage());
        continue;
      }
      if (recent.put(meta.key(), Boolean.TRUE) == null) {
        batch.add(Records.stored(r, meta, position));
      }
    }
    if (batch.isEmpty()) {
      return;
    }
    for (Consumer<List<StoredEvent>> listener : listeners) {
      try {
        listener.accept(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a log listener failed on " + batch.size() + " events", e);
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
