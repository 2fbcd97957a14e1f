package io.agentwatch.kafka;

import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Finite reads of the log: a small pool of consumers outside any group, each read assigning the
 * partitions it needs and seeking to the cursor's positions. Reads see committed records only, up
 * to the last stable offsets taken when the read starts.
 *
 * <p>Kafka orders records per partition only. A read takes, per partition, the next matching
 * records after the cursor, then merges the partitions by receive time (which never goes back on a
 * writing node), so a node's appends come back in the order it made them, and every partition's
 * records stay in offset order. The cursor of each returned event covers everything returned
 * before it, so the last one resumes exactly after the page.
 */
final class LogReader implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LogReader.class.getName());
  static final int POOL = 4;
  private static final Duration POLL = Duration.ofMillis(100);

  private record Item(ConsumerRecord<byte[], byte[]> record, Records.Meta meta) {}

  private final KafkaLogConfig config;
  private final Admin admin;
  private final String storeId;
  private final List<TopicPartition> partitions;
  private final LinkedBlockingDeque<KafkaConsumer<byte[], byte[]>> idle = new LinkedBlockingDeque<>();
  private final List<KafkaConsumer<byte[], byte[]>> all = new ArrayList<>();
  private final AtomicInteger created = new AtomicInteger();
  private volatile boolean closed;

  LogReader(KafkaLogConfig config, Admin admin, String storeId, int partitionCount) {
    this.config = config;
    this.admin = admin;
    this.storeId = storeId;
    List<TopicPartition> tps = new ArrayList<>(partitionCount);
    for (int p = 0; p < partitionCount; p++) {
      tps.add(new TopicPartition(config.topic(), p));
    }
    this.partitions = List.copyOf(tps);
  }

  static Properties consumerProperties(KafkaLogConfig config) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(config.readTimeout().toMillis()));
    p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(config.readTimeout().toMillis()));
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.putAll(config.clientProperties());
    return p;
  }

  int partitionCount() {
    return partitions.size();
  }

  /** The cursor covering every committed event now. */
  Cursor head() {
    return headOf(endOffsets());
  }

  private Cursor headOf(Map<TopicPartition, Long> ends) {
    Cursor head = Cursor.beginning(storeId, partitions.size());
    for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
      if (e.getValue() > 0) {
        head = head.advance(e.getKey().partition(), e.getValue() - 1);
      }
    }
    return head;
  }

  /**
   * Up to {@code limit} events not covered by {@code after} whose headers {@code wanted} accepts.
   *
   * @throws StaleCursorException when {@code after} is of another store or past the head
   */
  List<StoredEvent> read(Cursor after, int limit, Predicate<Records.Meta> wanted) {
    if (!after.storeId().equals(storeId)) {
      throw new StaleCursorException(after, head());
    }
    Map<TopicPartition, Long> ends = endOffsets();
    Cursor head = headOf(ends);
    if (after.isStaleFor(head)) {
      throw new StaleCursorException(after, head);
    }
    if (limit <= 0) {
      return List.of();
    }
    return withConsumer(c -> merge(after, limit, scan(c, after, limit, wanted, ends)));
  }

  /** Per partition, the first {@code limit} wanted records after the cursor and before the end. */
  private Map<Integer, ArrayDeque<Item>> scan(KafkaConsumer<byte[], byte[]> c, Cursor after, int limit,
      Predicate<Records.Meta> wanted, Map<TopicPartition, Long> ends) {
    Set<TopicPartition> active = new HashSet<>();
    for (TopicPartition tp : partitions) {
      if (after.position(tp.partition()) + 1 < ends.getOrDefault(tp, 0L)) {
        active.add(tp);
      }
    }
    Map<Integer, ArrayDeque<Item>> found = new HashMap<>();
    if (active.isEmpty()) {
      return found;
    }
    c.assign(active);
    for (TopicPartition tp : active) {
      c.seek(tp, after.position(tp.partition()) + 1);
    }
    long deadline = System.nanoTime() + config.readTimeout().toNanos();
    while (!active.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new UnavailableException("Kafka did not serve the read within " + config.readTimeout());
      }
      for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (!active.contains(tp) || r.offset() >= ends.get(tp)) {
          continue;
        }
        Records.Meta meta;
        try {
          meta = Records.meta(r);
        } catch (PoisonRecordException e) {
          LOG.log(System.Logger.Level.WARNING, "skipping record " + tp + "@" + r.offset() + ": " + e.getMessage());
          continue;
        }
        if (wanted.test(meta)) {
          ArrayDeque<Item> items = found.computeIfAbsent(r.partition(), p -> new ArrayDeque<>());
          items.add(new Item(r, meta));
          if (items.size() >= limit) {
            active.remove(tp);
          }
        }
      }
      active.removeIf(tp -> c.position(tp) >= ends.get(tp));
      c.pause(c.assignment().stream().filter(tp -> !active.contains(tp)).toList());
    }
    return found;
  }

  /**
   * Merges the partitions' records by receive time (then partition, offset), taking only the head
   * of each partition, so each partition's order holds whatever the clocks of its writers said.
   * A record repeated in the page (a retry that Kafka took twice, see KafkaEventLog) is skipped.
   */
  private List<StoredEvent> merge(Cursor after, int limit, Map<Integer, ArrayDeque<Item>> found) {
    PriorityQueue<ArrayDeque<Item>> heads = new PriorityQueue<>((a, b) -> {
      Item x = a.peek();
      Item y = b.peek();
      int byTime = x.meta().receivedAt().compareTo(y.meta().receivedAt());
      return byTime != 0 ? byTime : Integer.compare(x.record().partition(), y.record().partition());
    });
    found.values().forEach(heads::add);
    List<StoredEvent> out = new ArrayList<>(Math.min(limit, 1024));
    Set<String> seen = new HashSet<>();
    Cursor cursor = after;
    while (out.size() < limit && !heads.isEmpty()) {
      ArrayDeque<Item> q = heads.poll();
      Item item = q.poll();
      cursor = cursor.advance(item.record().partition(), item.record().offset());
      if (seen.add(item.meta().key())) {
        out.add(Records.stored(item.record(), item.meta(), cursor));
      }
      if (!q.isEmpty()) {
        heads.add(q);
      }
    }
    return out;
  }

  /** Each partition's last stable offset: where read-committed readers stop. */
  private Map<TopicPartition, Long> endOffsets() {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    partitions.forEach(tp -> ask.put(tp, OffsetSpec.latest()));
    try {
      Map<TopicPartition, Long> ends = new HashMap<>();
      admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
          .get(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .forEach((tp, info) -> ends.put(tp, info.offset()));
      return ends;
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new UnavailableException("Kafka did not tell the log's end within " + config.readTimeout() + ": " + cause,
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while asking for the log's end", e);
    }
  }

  private interface Work<T> {
    T run(KafkaConsumer<byte[], byte[]> consumer);
  }

  private <T> T withConsumer(Work<T> work) {
    if (closed) {
      throw new UnavailableException("the event log is closed");
    }
    KafkaConsumer<byte[], byte[]> c = borrow();
    boolean healthy = false;
    try {
      T result = work.run(c);
      healthy = true;
      return result;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      throw new UnavailableException("Kafka did not answer within " + config.readTimeout() + ": " + e.getMessage(), e);
    } catch (KafkaException e) {
      throw new UnavailableException("cannot read the Kafka log: " + e.getMessage(), e);
    } finally {
      giveBack(c, healthy);
    }
  }

  private KafkaConsumer<byte[], byte[]> borrow() {
    KafkaConsumer<byte[], byte[]> c = idle.pollFirst();
    if (c != null) {
      return c;
    }
    if (created.incrementAndGet() <= POOL) {
      c = new KafkaConsumer<>(consumerProperties(config));
      synchronized (all) {
        all.add(c);
      }
      return c;
    }
    created.decrementAndGet();
    try {
      c = idle.pollFirst(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for a log reader", e);
    }
    if (c == null) {
      throw new UnavailableException("every log reader stayed busy for " + config.readTimeout());
    }
    return c;
  }

  private void giveBack(KafkaConsumer<byte[], byte[]> c, boolean healthy) {
    try {
      c.assign(List.of());
    } catch (RuntimeException e) {
      healthy = false;
    }
    if (healthy && !closed) {
      idle.addFirst(c);
      return;
    }
    synchronized (all) {
      all.remove(c);
    }
    created.decrementAndGet();
    closeQuietly(c);
  }

  private static void closeQuietly(KafkaConsumer<byte[], byte[]> c) {
    try {
      c.close(Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing a log reader", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    List<KafkaConsumer<byte[], byte[]>> idleNow = new ArrayList<>();
    idle.drainTo(idleNow);
    synchronized (all) {
      all.removeAll(idleNow);
    }
    idleNow.forEach(LogReader::closeQuietly);
  }
}
