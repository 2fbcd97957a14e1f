package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@link EventLog} on PostgreSQL alone — for small multi-node setups without Kafka. Several
 * nodes may open logs on the same store and append at once; each node's {@link #tail} sees every
 * node's events within milliseconds.
 *
 * <h2>Partitions, offsets and why no reader skips a late commit</h2>
 * The log has {@link PostgresDatabase#logPartitions()} partitions; an event's partition follows
 * its run (else its agent), so a run's events keep their order. Within a partition, offsets are
 * 0, 1, 2… with no gaps, handed out by the partition's row in {@code log_partitions}: an append
 * transaction first locks the rows of the partitions it writes ({@code SELECT … FOR UPDATE},
 * in partition order, so two nodes never deadlock), numbers its events from them, and moves them
 * on before committing. The row lock is held until commit, so the next transaction writing that
 * partition can number its events only after this one's are committed and visible. Hence within
 * a partition offsets commit strictly in order, and a reader that has seen offset {@code n}
 * can never later find a committed {@code m < n} it did not see: a cursor that keeps one
 * position per partition ({@link Cursor}) never skips an event, however transactions on
 * different partitions interleave. (A single global sequence would not do: transactions take
 * numbers in one order and commit in another, and a reader past a later number would skip an
 * earlier one committed late.)
 *
 * <p>Across partitions the log's order is {@code seq}: each append transaction takes a number
 * from {@code log_groups}, and an event's {@code seq} is that number then its place in the
 * transaction. Reads merge the partitions by it. Only the per-partition order is guaranteed to
 * readers who follow the log live (as the {@link EventLog} contract says); the merge keeps
 * concurrent appends of different runs interleaved roughly as they happened.
 *
 * <h2>An append</h2>
 * {@link #append} encodes on the caller's thread and queues; a writer thread per node stores what
 * waits in one transaction (group commit, adaptive batch: see {@code GroupCommitter}): lock the
 * partitions; take the group's number and every partition's committed head; claim the ids in
 * {@code event_ids} ({@code INSERT … ON CONFLICT DO NOTHING RETURNING}, in key order, so
 * concurrent claims of the same ids by two nodes wait for each other instead of deadlocking) —
 * an id claimed before, by any node, is reported as a duplicate and nothing of it is stored;
 * insert the accepted events ({@code EventRows}); move the partitions' offsets; update the
 * rollups ({@link PostgresRollups}); {@code NOTIFY} (unless a backplane announces appends);
 * commit. The acknowledgement comes after the commit, which PostgreSQL makes durable (WAL flushed, with the server's default
 * {@code synchronous_commit}). A failure rolls everything back: nothing half-applied.
 *
 * <p>The cursor an append returns for an event covers the event, the events before it in the same
 * transaction, and in every other partition the events committed before the transaction took its
 * number — all of which come before it in {@code seq} order. Events of the log's reads and of
 * {@link #tail} carry the reader's running cursor instead (see {@code EventSelect},
 * {@code LogFollower}).
 *
 * <p>Thread-safe. {@link #close()} refuses new appends, stores queued ones, and stops its
 * threads; it leaves the database open.
 */
public final class PostgresEventLog implements EventLog {

  private static final System.Logger LOG = System.getLogger(PostgresEventLog.class.getName());
  /** How often a follower reads the log even without a notification (a lost listener, say). */
  static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

  private final PostgresDatabase db;
  private final String storeId;
  private final Partitioner partitioner;
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicReference<Cursor> knownHead;
  private final GroupWriter writer;
  private final LogFollower follower;
  private volatile boolean closed;

  private PostgresEventLog(PostgresDatabase db, Clock clock, Cursor head, Duration poll, Backplane backplane) {
    this.db = db;
    this.storeId = db.storeId();
    this.partitioner = new Partitioner(db.logPartitions());
    this.knownHead = new AtomicReference<>(head);
    String node = UUID.randomUUID().toString();
    this.follower = new LogFollower(db, node, head, after -> readAll(after, LogFollower.PAGE), this::deliver, poll,
        backplane);
    AppendTransaction transaction = new AppendTransaction(db, partitioner, backplane == null ? node : null);
    this.writer = new GroupWriter(db, transaction, new PartitionMaintainer(db, clock), clock, committed -> {
      Cursor last = committed.getLast().cursor();
      learn(last);
      follower.committed(committed);
      if (backplane != null) {
        announce(backplane, last);
      }
    });
  }

  /** Best effort: a notice that does not travel only delays the other nodes by their poll. */
  private static void announce(Backplane backplane, Cursor last) {
    try {
      backplane.publish(last);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not announce an append on the backplane: " + e.getMessage());
    }
  }

  /** Opens a log of {@code db} with the system clock for {@code receivedAt}. */
  public static PostgresEventLog open(PostgresDatabase db) {
    return open(db, Clock.systemUTC(), DEFAULT_POLL);
  }

  /**
   * Opens a log of {@code db}, stamping {@code receivedAt} from {@code clock}, and starts its
   * writer and follower; {@code poll} bounds how long another node's append may go unnoticed
   * when a notification is lost.
   *
   * @throws UnavailableException when the database cannot be read
   */
  public static PostgresEventLog open(PostgresDatabase db, Clock clock, Duration poll) {
    return open(db, clock, poll, null);
  }

  /**
   * Opens a log of {@code db} whose appends are announced to the other nodes on {@code backplane}
   * (Redis Pub/Sub, say) instead of by {@code NOTIFY}: for deployments whose connections cannot
   * {@code LISTEN} (a pooler in transaction mode) or that keep notifications off the database.
   * Every node of the store must then use the same backplane. A null backplane means
   * {@code NOTIFY}.
   *
   * @throws UnavailableException when the database cannot be read or the backplane subscribed
   */
  public static PostgresEventLog open(PostgresDatabase db, Clock clock, Duration poll, Backplane backplane) {
    if (db.followsAnotherLog()) {
      throw new IllegalArgumentException("the PostgreSQL store (schema " + db.config().schema()
          + ") holds the history of another log and cannot keep a log of its own");
    }
    Cursor head;
    try {
      new PartitionMaintainer(db, clock).ensureCovering(clock.instant());
      head = db.read(c -> EventSelect.head(c, db.storeId(), db.logPartitions()));
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("open the event log", e);
    }
    PostgresEventLog log = new PostgresEventLog(db, clock, head, poll, backplane);
    log.writer.start();
    log.follower.start();
    return log;
  }

  @Override
  public String storeId() {
    return storeId;
  }

  /** Reads the committed head of every partition (other nodes append too). */
  @Override
  public Cursor head() {
    try {
      Cursor head = db.read(c -> EventSelect.head(c, storeId, partitioner.count()));
      learn(head);
      return head;
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("read the head of the event log", e);
    }
  }

  @Override
  public Cursor beginning() {
    return db.beginning();
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
    return writer.submit(new AppendTransaction.Request(tenant, copy, envelopes));
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    requireOwn(after);
    if (limit <= 0) {
      return List.of();
    }
    try {
      return db.read(c -> EventSelect.ofTenant(partitioner, tenant).matching(filter).fetch(c, after, limit));
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("read the event log", e);
    }
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    requireOwn(after);
    if (limit <= 0) {
      return List.of();
    }
    try {
      return db.read(c -> EventSelect.allTenants(partitioner).fetch(c, after, limit));
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("read the event log", e);
    }
  }

  /** A cursor of another store, or past what was committed, is stale; the head is read only when in doubt. */
  void requireOwn(Cursor cursor) {
    Cursor known = knownHead.get();
    if (!cursor.storeId().equals(storeId)) {
      throw new StaleCursorException(cursor, known);
    }
    if (cursor.isStaleFor(known)) {
      Cursor head = head();
      if (cursor.isStaleFor(head)) {
        throw new StaleCursorException(cursor, head);
      }
    }
  }

  /** Moves the known head forward to cover {@code seen}. */
  private void learn(Cursor seen) {
    knownHead.updateAndGet(known -> {
      Cursor merged = known;
      for (int p = 0; p < seen.partitions(); p++) {
        if (seen.position(p) >= 0) {
          merged = merged.advance(p, seen.position(p));
        }
      }
      return merged;
    });
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** On the follower thread: one failing listener must not starve the others. */
  private void deliver(List<StoredEvent> events) {
    learn(events.getLast().cursor());
    for (Consumer<List<StoredEvent>> listener : listeners) {
      try {
        listener.accept(events);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a log listener failed on " + events.size() + " events", e);
      }
    }
  }

  @Override
  public void check() {
    if (closed) {
      throw new UnavailableException("the event log is closed");
    }
    if (!writer.isRunning() || !follower.isRunning()) {
      throw new UnavailableException("the event log's writer or follower has stopped");
    }
    db.check();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    writer.close();
    follower.close();
  }
}
