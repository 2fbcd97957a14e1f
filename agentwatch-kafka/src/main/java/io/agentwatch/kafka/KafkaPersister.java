package io.agentwatch.kafka;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventSink;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A consumer group that hands the log to an {@link EventSink} (PostgreSQL history, analytics):
 * every node of the deployment may run one per group, and Kafka shares the partitions among them.
 *
 * <p>Per batch of records: decode them (read-committed, so aborted writes never arrive), write the
 * good ones to the sink, send the poison ones to the dead-letter topic {@code <topic>.dlq} with
 * the reason in headers, and only when both are durable commit the group's offsets. A crash
 * between the sink's write and the commit hands the batch again, which the sink's idempotency on
 * (tenant, id) makes harmless; so is a second copy of an event that Kafka holds twice.
 *
 * <p>What the sink says decides what happens to a batch: {@link UnavailableException} means the
 * sink is down, so the batch is read again after {@code retryBackoff} (offsets stay put, nothing
 * is lost, and the lag grows); any other exception means some event cannot ever be written, so the
 * batch is written one event at a time and the events that still fail go to the dead-letter topic.
 * A record is poison when it is not an event envelope this log wrote (missing headers, not JSON,
 * not a valid envelope, headers that disagree with the value).
 *
 * <p>Dead-letter headers: the original record's headers, plus {@code aw-dlq-reason},
 * {@code aw-dlq-topic}, {@code aw-dlq-partition}, {@code aw-dlq-offset} and {@code aw-dlq-at}
 * (RFC 3339). Key and value are the original's.
 */
public final class KafkaPersister implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(KafkaPersister.class.getName());
  static final String REASON = "aw-dlq-reason";
  static final String SOURCE_TOPIC = "aw-dlq-topic";
  static final String SOURCE_PARTITION = "aw-dlq-partition";
  static final String SOURCE_OFFSET = "aw-dlq-offset";
  static final String FAILED_AT = "aw-dlq-at";
  private static final Duration POLL = Duration.ofMillis(200);

  private record Poison(ConsumerRecord<byte[], byte[]> record, String reason) {}

  private final PersisterConfig config;
  private final EventSink sink;
  private final Clock clock;
  private final String storeId;
  private final int partitionCount;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> deadLetters;
  private final Thread thread;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private volatile long lag = -1;
  private volatile boolean sinkDown;
  private volatile boolean closed;

  private KafkaPersister(PersisterConfig config, EventSink sink, Clock clock, Topics.Topic topic) {
    this.config = config;
    this.sink = sink;
    this.clock = clock;
    this.storeId = topic.storeId();
    this.partitionCount = topic.partitions();
    this.consumer = new KafkaConsumer<>(consumerProperties());
    this.deadLetters = new KafkaProducer<>(producerProperties());
    this.thread = Thread.ofPlatform().name("kafka-persister-" + config.groupId()).daemon(true).unstarted(this::run);
  }

  /**
   * Joins the group and starts handing records to {@code sink}; creates the dead-letter topic if
   * missing (with the log topic's replication).
   *
   * @throws UnavailableException when the cluster does not answer in time
   */
  public static KafkaPersister start(PersisterConfig config, EventSink sink, Clock clock) {
    Objects.requireNonNull(sink, "sink");
    KafkaLogConfig log = config.log();
    try (Admin admin = Admin.create(KafkaEventLog.adminProperties(log))) {
      Topics.Topic topic = Topics.ensure(admin, log.topic(), log.partitions(), log.replicationFactor(),
          log.readTimeout());
      Topics.ensure(admin, log.deadLetterTopic(), 1, topic.replication(), log.readTimeout());
      KafkaPersister persister = new KafkaPersister(config, sink, clock, topic);
      persister.consumer.subscribe(List.of(log.topic()));
      persister.thread.start();
      return persister;
    }
  }

  private Properties consumerProperties() {
    Properties p = LogReader.consumerProperties(config.log());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(config.batchSize()));
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "200");
    p.putAll(config.clientProperties());
    return p;
  }

  private Properties producerProperties() {
    KafkaLogConfig log = config.log();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, log.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(log.appendTimeout().toMillis()));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(log.appendTimeout().toMillis()));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(log.appendTimeout().toMillis()));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(log.clientProperties());
    return p;
  }

  /** Records of the assigned partitions not yet handed on (-1 until known). */
  public long lag() {
    return lag;
  }

  /** Events the sink took since start (a record handed twice counts twice). */
  public long written() {
    return written.get();
  }

  /** Records sent to the dead-letter topic since start. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Throws when the persister has stopped or its sink is refusing batches. */
  public void check() {
    if (closed || !thread.isAlive()) {
      throw new UnavailableException("the persister of group " + config.groupId() + " has stopped");
    }
    if (sinkDown) {
      throw new UnavailableException("the persister's sink refuses batches; lag " + lag);
    }
  }

  private void run() {
    try {
      while (!closed) {
        try {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          if (!records.isEmpty()) {
            handle(records);
          }
          updateLag();
        } catch (WakeupException e) {
          // close() woke a blocking call; the loop ends since closed is set.
        } catch (RuntimeException e) {
          // Kafka unreachable, or a commit refused after a rebalance: what was not committed is
          // handed again (to this node or the partition's new owner), which the sink absorbs.
          LOG.log(System.Logger.Level.WARNING, "the persister of group " + config.groupId() + " failed a round; "
              + "retrying in " + config.retryBackoff(), e);
          pause();
        }
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
      deadLetters.close(Duration.ofSeconds(5));
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> goodRecords = new ArrayList<>();
    List<StoredEvent> good = new ArrayList<>();
    List<Poison> poison = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        good.add(Records.storedStrictly(r, Cursor.beginning(storeId, partitionCount).advance(r.partition(), r.offset())));
        goodRecords.add(r);
      } catch (PoisonRecordException e) {
        poison.add(new Poison(r, e.getMessage()));
      }
    }
    int stored;
    try {
      stored = writeAll(goodRecords, good, poison);
      sendToDeadLetters(poison);
    } catch (UnavailableException e) {
      sinkDown = true;
      LOG.log(System.Logger.Level.WARNING, "cannot hand " + records.count() + " records on (" + e.getMessage()
          + "); reading them again in " + config.retryBackoff());
      rewind(records);
      pause();
      return;
    }
    sinkDown = false;
    consumer.commitSync(nextOffsets(records));
    written.addAndGet(stored);
    deadLettered.addAndGet(poison.size());
  }

  /**
   * Writes the batch; when the sink refuses it for good, isolates the events it cannot take (adding
   * them to {@code poison}). Returns how many events the sink took.
   */
  private int writeAll(List<ConsumerRecord<byte[], byte[]>> records, List<StoredEvent> events, List<Poison> poison) {
    if (events.isEmpty()) {
      return 0;
    }
    try {
      sink.write(events);
      return events.size();
    } catch (UnavailableException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the sink refused a batch of " + events.size()
          + " events; writing them one by one to set the bad ones aside: " + e);
    }
    int stored = 0;
    for (int i = 0; i < events.size(); i++) {
      try {
        sink.write(List.of(events.get(i)));
        stored++;
      } catch (UnavailableException e) {
        throw e;
      } catch (RuntimeException e) {
        poison.add(new Poison(records.get(i), "the sink cannot store it: " + e));
      }
    }
    return stored;
  }

  private void sendToDeadLetters(List<Poison> poison) {
    if (poison.isEmpty()) {
      return;
    }
    String at = clock.instant().toString();
    List<Future<RecordMetadata>> sent = new ArrayList<>(poison.size());
    for (Poison p : poison) {
      ConsumerRecord<byte[], byte[]> r = p.record();
      ProducerRecord<byte[], byte[]> dead =
          new ProducerRecord<>(config.log().deadLetterTopic(), null, r.key(), r.value(), r.headers());
      dead.headers().add(text(REASON, p.reason()))
          .add(text(SOURCE_TOPIC, r.topic()))
          .add(text(SOURCE_PARTITION, String.valueOf(r.partition())))
          .add(text(SOURCE_OFFSET, String.valueOf(r.offset())))
          .add(text(FAILED_AT, at));
      LOG.log(System.Logger.Level.WARNING, "dead-lettering " + r.topic() + "-" + r.partition() + "@" + r.offset()
          + ": " + p.reason());
      sent.add(deadLetters.send(dead));
    }
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new UnavailableException("cannot write to the dead-letter topic: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while dead-lettering", e);
    }
  }

  private static RecordHeader text(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Seeks every partition of the batch back to its first record, so the next poll reads it again. */
  private void rewind(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, records.records(tp).getFirst().offset());
      }
    }
  }

  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      next.put(tp, new OffsetAndMetadata(records.records(tp).getLast().offset() + 1));
    }
    return next;
  }

  private void updateLag() {
    long total = 0;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isEmpty()) {
        return;
      }
      total += l.getAsLong();
    }
    lag = total;
  }

  private void pause() {
    try {
      Thread.sleep(config.retryBackoff());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /** Stops after the batch in hand; what was not committed is handed again by whoever takes over. */
  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(Duration.ofSeconds(15));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
