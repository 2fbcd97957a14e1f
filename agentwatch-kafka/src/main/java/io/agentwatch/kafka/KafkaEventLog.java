package io.agentwatch.kafka;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * The distributed {@link EventLog}: one Kafka topic, one partition per cursor position.
 *
 * <ul>
 *   <li><b>Append.</b> Events are queued to this node's single {@link LogWriter}, which writes
 *       each group of appends as one Kafka transaction with an idempotent producer and
 *       {@code acks=all}, waits until read-committed readers can see it, and only then completes
 *       the callers' futures: acknowledged means replicated to every in-sync replica, and the
 *       events of one append are visible together or not at all. The record key is the tenant and
 *       run (else agent), so one agent's events of a run keep their order in one partition.</li>
 *   <li><b>Read.</b> {@link #read} and {@link #readAll} assign the partitions they need, seek to
 *       the cursor and filter on record headers in memory (see {@link LogReader}).</li>
 *   <li><b>Tail.</b> Every node runs one consumer outside any group over every partition
 *       ({@link LiveTail}), so every node's subscribers see every node's events.</li>
 *   <li><b>Store id.</b> A hash of the cluster id, the topic name and the topic id: cursors of a
 *       wiped cluster or a re-created topic are answered as stale.</li>
 * </ul>
 *
 * <h2>Duplicates</h2>
 * Kafka keeps every record it is sent, so "the same (tenant, id) is stored once" rests on an
 * {@link IdLedger} shared by all nodes (Redis across nodes): an event's key is reserved before it
 * is written, confirmed after Kafka acknowledged it, released when the write failed. A confirmed
 * key is reported as a duplicate; a key another writer holds makes the append wait for that
 * writer's outcome (up to {@link KafkaLogConfig#pendingWait()}, then 503 and the client retries).
 *
 * <p>The crash window: a node reserves an event's key, writes it, and dies before confirming.
 * Whether the event reached Kafka is then unknown (the transaction may have committed or been
 * aborted). A retry must not be answered "duplicate" for an event that may never have been
 * written, so the reservation is never taken for a confirmation: once it outlives its
 * time-to-live it goes stale and the retry writes the event again. If the first write did commit,
 * Kafka now holds the event twice. That rare second copy is removed downstream, where the id is
 * known: the history store is idempotent on (tenant, id) ({@code KafkaPersister} hands every record
 * to an idempotent {@link io.agentwatch.core.store.EventSink}), each node's live tail drops ids it
 * delivered recently, and a page of {@link #read} never holds the same id twice. The same holds
 * when the ledger cannot confirm after Kafka acknowledged, and for a retry that comes after the
 * ledger's retention window.
 *
 * <p>{@link #close()} refuses new appends, writes the queued ones, and releases the clients; the
 * ledger is the caller's to close.
 */
public final class KafkaEventLog implements EventLog {

  private static final Duration VISIBILITY_POLL = Duration.ofMillis(1);

  private final KafkaLogConfig config;
  private final Admin admin;
  private final String storeId;
  private final int partitionCount;
  private final LogReader reader;
  private final LiveTail tail;
  private final LogWriter writer;
  private volatile boolean closed;

  private KafkaEventLog(KafkaLogConfig config, Admin admin, Topics.Topic topic, IdLedger ledger, Clock clock) {
    this.config = config;
    this.admin = admin;
    this.storeId = topic.storeId();
    this.partitionCount = topic.partitions();
    this.reader = new LogReader(config, admin, storeId, partitionCount);
    LiveTail started = null;
    try {
      Cursor head = reader.head();
      started = LiveTail.start(config, storeId, partitionCount);
      this.writer = new LogWriter(config, head, ledger, clock, this::awaitVisible);
    } catch (RuntimeException e) {
      if (started != null) {
        started.close();
      }
      reader.close();
      throw e;
    }
    this.tail = started;
    writer.start();
  }

  /**
   * Opens the log on {@code config}'s topic (creating it if missing), starts this node's tail at
   * the topic's end and its writer.
   *
   * @param ledger where event ids are reserved and confirmed; shared by every node of the log
   * @param clock  stamps {@code receivedAt}
   * @throws UnavailableException when the cluster does not answer in time
   */
  public static KafkaEventLog open(KafkaLogConfig config, IdLedger ledger, Clock clock) {
    Objects.requireNonNull(ledger, "ledger");
    Admin admin = Admin.create(adminProperties(config));
    try {
      Topics.Topic topic = Topics.ensure(admin, config.topic(), config.partitions(), config.replicationFactor(),
          config.readTimeout());
      return new KafkaEventLog(config, admin, topic, ledger, clock);
    } catch (RuntimeException e) {
      admin.close(Duration.ZERO);
      throw e instanceof UnavailableException u ? u
          : new UnavailableException("cannot open the Kafka log: " + e.getMessage(), e);
    }
  }

  static Properties adminProperties(KafkaLogConfig config) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(config.readTimeout().toMillis()));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(config.readTimeout().toMillis()));
    p.putAll(config.clientProperties());
    return p;
  }

  @Override
  public String storeId() {
    return storeId;
  }

  @Override
  public Cursor head() {
    return reader.head();
  }

  @Override
  public Cursor beginning() {
    return Cursor.beginning(storeId, partitionCount);
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
    Objects.requireNonNull(tenant, "tenant");
    if (closed) {
      return CompletableFuture.failedFuture(new UnavailableException("the event log is closed"));
    }
    if (events.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    List<Event> copy = List.copyOf(events);
    List<String> envelopes = EventCodec.encodeEnvelopes(copy);
    long giveUp = System.nanoTime() + config.pendingWait().toNanos();
    return writer.submit(new LogWriter.Request(tenant, copy, envelopes, giveUp));
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    Objects.requireNonNull(tenant, "tenant");
    return reader.read(after, limit, meta -> meta.matches(tenant, filter));
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    return reader.read(after, limit, meta -> true);
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    return tail.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Waits until read-committed readers see each partition's records up to the given offsets. */
  private boolean awaitVisible(Map<Integer, Long> lastOffsets, long deadlineNanos) throws InterruptedException {
    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
    lastOffsets.keySet().forEach(p -> ask.put(new TopicPartition(config.topic(), p), OffsetSpec.latest()));
    ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    while (true) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        Map<TopicPartition, ListOffsetsResultInfo> stable =
            admin.listOffsets(ask, committed).all().get(left, TimeUnit.NANOSECONDS);
        if (lastOffsets.entrySet().stream().allMatch(e ->
            stable.get(new TopicPartition(config.topic(), e.getKey())).offset() > e.getValue())) {
          return true;
        }
      } catch (ExecutionException | TimeoutException e) {
        return false;
      }
      Thread.sleep(VISIBILITY_POLL);
    }
  }

  @Override
  public void check() {
    if (closed) {
      throw new UnavailableException("the event log is closed");
    }
    if (!writer.isRunning() || !tail.isRunning()) {
      throw new UnavailableException("a thread of the Kafka log has stopped");
    }
    try {
      admin.describeCluster().clusterId().get(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new UnavailableException("the Kafka cluster does not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while checking Kafka", e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    writer.close();
    tail.close();
    reader.close();
    admin.close(Duration.ofSeconds(5));
  }
}
