package io.agentwatch.kafka;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.GroupCommitter;
import io.agentwatch.core.log.GroupCommitter.Pending;
import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.IdLedger.Claim;
import io.agentwatch.core.log.IdLedger.Key;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The log's single writer on this node: a {@link GroupCommitter} that writes each group as one
 * Kafka transaction, so one round of acknowledgements answers many callers, and the events of one
 * append are visible all together or not at all.
 *
 * <p>For each group: reserve every event's (tenant, id) in the {@link IdLedger}; report confirmed
 * ones as duplicates; put aside appends that hold an id another writer has reserved (they are
 * retried shortly, and fail as unavailable after {@code pendingWait}); send the rest in one
 * transaction ({@code acks=all}, idempotent); commit; wait until read-committed readers can see the
 * records (the coordinator writes the commit markers after answering the commit); confirm the ids;
 * and only then complete the callers' futures. On any failure the group's reservations are
 * released, its appends fail with {@link UnavailableException} and the producer is replaced (a new
 * producer with the same transactional id aborts whatever the old one left open).
 *
 * <p>Each of the producer's blocking steps is bounded by the append timeout, but while Kafka is
 * away a group can go through several of them, and appends queue behind it. So every append also
 * has a deadline of its own, its submission plus the append timeout: then it fails as unavailable
 * wherever it is. One still queued is dropped, never written; one already in a group may still be
 * written, and the producer's retry is then answered as a duplicate (the ids are confirmed).
 */
final class LogWriter {

  static final int MAX_GROUP_EVENTS = 5_000;
  static final int MAX_PENDING_EVENTS = 200_000;
  private static final System.Logger LOG = System.getLogger(LogWriter.class.getName());

  /** One append call, its events already encoded on the caller's thread. */
  record Request(String tenant, List<Event> events, List<String> envelopes, long giveUpNanos) {}

  private final KafkaLogConfig config;
  private final IdLedger ledger;
  private final Clock clock;
  private final Visibility visibility;
  private final GroupCommitter<Request> committer;
  private final ScheduledExecutorService retries;
  private KafkaProducer<byte[], byte[]> producer;
  private long groups;
  private Instant lastStamp = Instant.EPOCH;
  /** Covers every event this writer has made visible, and the head it started from. */
  private Cursor written;

  /** Tells when committed records can be read with {@code read_committed}. */
  interface Visibility {
    /** Waits until every partition's last stable offset is past the given offset, or gives up at the deadline. */
    boolean await(Map<Integer, Long> lastOffsets, long deadlineNanos) throws InterruptedException;
  }

  LogWriter(KafkaLogConfig config, Cursor head, IdLedger ledger, Clock clock, Visibility visibility) {
    this.config = config;
    this.written = head;
    this.ledger = ledger;
    this.clock = clock;
    this.visibility = visibility;
    this.committer = new GroupCommitter<>("kafka-log", MAX_GROUP_EVENTS, MAX_PENDING_EVENTS,
        r -> r.events().size(), this::writeGroup);
    ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1,
        Thread.ofPlatform().name("kafka-log-retry").daemon(true).factory());
    // Most deadlines are cancelled long before they are due: do not keep them queued.
    timers.setRemoveOnCancelPolicy(true);
    this.retries = timers;
  }

  void start() {
    committer.start();
  }

  boolean isRunning() {
    return committer.isRunning();
  }

  /** Queues {@code request}, or fails it at once when closed or saturated. */
  CompletableFuture<List<AppendResult>> submit(Request request) {
    CompletableFuture<List<AppendResult>> future = committer.submit(request);
    if (!future.isDone()) {
      ScheduledFuture<?> deadline = retries.schedule(() -> future.completeExceptionally(
          new UnavailableException("Kafka did not take the events within " + config.appendTimeout())),
          config.appendTimeout().toMillis(), TimeUnit.MILLISECONDS);
      future.whenComplete((results, failure) -> deadline.cancel(false));
    }
    return future;
  }

  private void writeGroup(List<Pending<Request>> group) {
    String owner = config.nodeId() + "-" + ProcessToken.VALUE + "-" + groups++;
    Map<Key, Claim> claims;
    try {
      claims = reserve(owner, group);
    } catch (RuntimeException e) {
      UnavailableException failure =
          new UnavailableException("cannot check event ids for duplicates: " + e.getMessage(), e);
      group.forEach(p -> p.fail(failure));
      return;
    }
    Plan plan = new Plan(group, claims);
    plan.deferred.forEach(this::retryLater);
    release(owner, plan.unused);
    if (plan.toWrite.isEmpty()) {
      completeAll(plan, Map.of());
      return;
    }
    Map<Key, StoredEvent> stored;
    try {
      stored = produce(plan);
    } catch (UnavailableException e) {
      release(owner, plan.toWrite.stream().map(Plan.Item::key).toList());
      plan.written.forEach(p -> p.fail(e));
      return;
    }
    try {
      ledger.confirm(new ArrayList<>(stored.keySet()));
    } catch (RuntimeException e) {
      // The events are in Kafka and will be acknowledged. Their reservations lapse; a retry after
      // that is written again, and the duplicate is dropped downstream (see KafkaEventLog).
      LOG.log(System.Logger.Level.WARNING, "could not confirm " + stored.size() + " written ids: " + e.getMessage());
    }
    completeAll(plan, stored);
  }

  private Map<Key, Claim> reserve(String owner, List<Pending<Request>> group) {
    LinkedHashMap<Key, Claim> claims = new LinkedHashMap<>();
    for (Pending<Request> p : group) {
      Request r = p.request();
      for (Event e : r.events()) {
        claims.putIfAbsent(new Key(r.tenant(), e.id()), null);
      }
    }
    List<Key> keys = new ArrayList<>(claims.keySet());
    List<Claim> answers = ledger.reserve(owner, keys);
    for (int i = 0; i < keys.size(); i++) {
      claims.put(keys.get(i), answers.get(i));
    }
    return claims;
  }

  /**
   * What a group does: appends holding a pending id are deferred; in the others, the first
   * occurrence of each reserved id is written and any later one (same append or a later append of
   * the group, which shares the transaction's fate) is a duplicate; reserved ids that only deferred
   * appends wanted are released.
   */
  private static final class Plan {
    record Item(Request request, int index, Key key) {}

    final List<Pending<Request>> deferred = new ArrayList<>();
    final List<Pending<Request>> written = new ArrayList<>();
    final List<Item> toWrite = new ArrayList<>();
    final List<Key> unused = new ArrayList<>();

    Plan(List<Pending<Request>> group, Map<Key, Claim> claims) {
      Set<Key> taken = new HashSet<>();
      for (Pending<Request> p : group) {
        Request r = p.request();
        boolean blocked = r.events().stream().anyMatch(e -> claims.get(new Key(r.tenant(), e.id())) == Claim.PENDING);
        if (blocked) {
          deferred.add(p);
          continue;
        }
        written.add(p);
        for (int i = 0; i < r.events().size(); i++) {
          Key key = new Key(r.tenant(), r.events().get(i).id());
          if (claims.get(key) == Claim.RESERVED && taken.add(key)) {
            toWrite.add(new Item(r, i, key));
          }
        }
      }
      claims.forEach((key, claim) -> {
        if (claim == Claim.RESERVED && !taken.contains(key)) {
          unused.add(key);
        }
      });
    }
  }

  /** Writes the plan's events in one transaction and waits until readers can see them. */
  private Map<Key, StoredEvent> produce(Plan plan) {
    long deadline = System.nanoTime() + config.appendTimeout().toNanos();
    try {
      KafkaProducer<byte[], byte[]> p = producer();
      p.beginTransaction();
      List<Future<RecordMetadata>> sent = new ArrayList<>(plan.toWrite.size());
      List<Instant> stamps = new ArrayList<>(plan.toWrite.size());
      for (Plan.Item item : plan.toWrite) {
        Instant receivedAt = stamp();
        stamps.add(receivedAt);
        Request r = item.request();
        sent.add(p.send(Records.record(config.topic(), r.tenant(), r.events().get(item.index()),
            r.envelopes().get(item.index()), receivedAt)));
      }
      p.commitTransaction();
      Map<Integer, Long> lastOffsets = new HashMap<>();
      Map<Key, StoredEvent> stored = new HashMap<>();
      Cursor cursor = written;
      for (int i = 0; i < sent.size(); i++) {
        RecordMetadata m = sent.get(i).get();
        Plan.Item item = plan.toWrite.get(i);
        Request r = item.request();
        cursor = cursor.advance(m.partition(), m.offset());
        lastOffsets.merge(m.partition(), m.offset(), Math::max);
        stored.put(item.key(), StoredEvent.appended(r.tenant(), r.events().get(item.index()),
            r.envelopes().get(item.index()), m.partition(), m.offset(), cursor, stamps.get(i)));
      }
      written = cursor;
      if (!visibility.await(lastOffsets, deadline)) {
        LOG.log(System.Logger.Level.WARNING, "committed events were not readable within " + config.appendTimeout()
            + "; acknowledging them anyway");
      }
      return stored;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeProducer();
      throw new UnavailableException("interrupted while writing to Kafka", e);
    } catch (ExecutionException | RuntimeException e) {
      // Whether the transaction committed is unknown after some failures (a commit that timed out):
      // replacing the producer aborts it if it is still open, and callers retry either way.
      closeProducer();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      LOG.log(System.Logger.Level.WARNING, "a group of " + plan.toWrite.size() + " events failed: " + cause);
      throw new UnavailableException("Kafka did not take the events: " + cause, cause);
    }
  }

  /** A receive time that never goes back on this node, so readers can merge partitions in append order. */
  private Instant stamp() {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    lastStamp = now.isAfter(lastStamp) ? now : lastStamp.plus(1, ChronoUnit.MICROS);
    return lastStamp;
  }

  private KafkaProducer<byte[], byte[]> producer() {
    if (producer == null) {
      KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProperties());
      try {
        p.initTransactions();
      } catch (RuntimeException e) {
        p.close(Duration.ZERO);
        throw e;
      }
      producer = p;
    }
    return producer;
  }

  private Properties producerProperties() {
    long timeout = config.appendTimeout().toMillis();
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "agentwatch-log-" + config.topic() + "-" + config.nodeId());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(timeout));
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(timeout));
    // An open transaction holds back read-committed readers of its partitions until it ends: a
    // node that dies mid-group and never comes back stalls them for at most this long.
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(Math.max(2 * timeout, 1_000)));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.putAll(config.clientProperties());
    return p;
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        producer.close(Duration.ZERO);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing a failed producer", e);
      }
      producer = null;
    }
  }

  private void release(String owner, List<Key> keys) {
    if (keys.isEmpty()) {
      return;
    }
    try {
      ledger.release(owner, keys);
    } catch (RuntimeException e) {
      // The reservations lapse by themselves; until then a retry of these ids waits (pendingWait).
      LOG.log(System.Logger.Level.WARNING, "could not release " + keys.size() + " reserved ids: " + e.getMessage());
    }
  }

  private void retryLater(Pending<Request> p) {
    long now = System.nanoTime();
    long giveUp = p.request().giveUpNanos();
    if (now >= giveUp) {
      p.fail(new UnavailableException("an event of this append is being written by another "
          + "request or node whose outcome is not known yet; retry shortly"));
      return;
    }
    long delay = ThreadLocalRandom.current().nextLong(10, 50);
    retries.schedule(p.setAside(), Math.min(delay, TimeUnit.NANOSECONDS.toMillis(giveUp - now) + 1),
        TimeUnit.MILLISECONDS);
  }

  private void completeAll(Plan plan, Map<Key, StoredEvent> stored) {
    for (Pending<Request> p : plan.written) {
      Request r = p.request();
      Set<Key> mine = new HashSet<>();
      List<AppendResult> results = new ArrayList<>(r.events().size());
      for (Event e : r.events()) {
        Key key = new Key(r.tenant(), e.id());
        StoredEvent s = stored.get(key);
        boolean first = s != null && s.event() == e && mine.add(key);
        results.add(first ? AppendResult.accepted(s) : AppendResult.duplicate(e.id()));
      }
      p.complete(List.copyOf(results));
    }
  }

  /** Stops taking requests, writes those already queued (and put aside), then stops the threads. */
  void close() {
    committer.close();
    retries.shutdownNow();
    // The writer thread has stopped: its producer is this thread's to close.
    closeProducer();
  }

  /** Tells this process's writers from those of an earlier run with the same node id. */
  private static final class ProcessToken {
    static final String VALUE = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
  }
}
