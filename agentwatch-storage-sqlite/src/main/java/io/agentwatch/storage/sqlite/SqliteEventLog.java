package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The embedded {@link EventLog}: one partition in the {@code events} table of a
 * {@link SqliteDatabase}, the offset being the row's {@code seq}.
 *
 * <p>{@link #append} encodes the events on the caller's thread and queues them; a single writer
 * thread stores waiting appends together in one transaction (group commit) and acknowledges
 * them once the commit is fsynced. A duplicate (tenant, id), whether stored before or earlier in
 * the same group, is reported and not stored. The futures complete on virtual threads, so a
 * caller's callbacks never hold up the next commit. Listeners of {@link #tail} run on one
 * notifier thread, in log order, never on the writer, so a slow listener delays no commit (but
 * its backlog grows: listeners must not block). When a commit fails, that group's appends fail
 * with {@link UnavailableException} and later groups are tried afresh.
 *
 * <p>Exactly one log may write to a database. {@link #close()} refuses new appends, stores the
 * queued ones, and stops its threads; it leaves the database open.
 */
public final class SqliteEventLog implements EventLog {

  private static final System.Logger LOG = System.getLogger(SqliteEventLog.class.getName());

  private final SqliteDatabase db;
  private final String storeId;
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final GroupWriter writer;
  private volatile boolean closed;

  private SqliteEventLog(SqliteDatabase db, Clock clock, long lastSeq) {
    this.db = db;
    this.storeId = db.storeId();
    this.writer = new GroupWriter(db, clock, lastSeq, this::deliver);
  }

  /** Opens the log of {@code db} with the system clock for {@code receivedAt}. */
  public static SqliteEventLog open(SqliteDatabase db) {
    return open(db, Clock.systemUTC());
  }

  /**
   * Opens the log of {@code db}, stamping {@code receivedAt} from {@code clock}, and starts its
   * writer.
   *
   * @throws UnavailableException  when the database cannot be read
   * @throws IllegalStateException when another log of {@code db} is open
   */
  public static SqliteEventLog open(SqliteDatabase db, Clock clock) {
    db.claimLog();
    long lastSeq;
    try {
      lastSeq = db.read(EventSelect::lastSeq);
    } catch (SQLException | RuntimeException e) {
      db.releaseLog();
      throw new UnavailableException("cannot read the head of the event log: " + e.getMessage(), e);
    }
    SqliteEventLog log = new SqliteEventLog(db, clock, lastSeq);
    log.writer.start();
    return log;
  }

  @Override
  public String storeId() {
    return storeId;
  }

  @Override
  public Cursor head() {
    return db.cursorAt(writer.lastSeq());
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
    return writer.submit(new GroupWriter.Request(tenant, copy, envelopes));
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    requireOwn(after);
    if (limit <= 0) {
      return List.of();
    }
    try {
      return db.read(c -> new EventSelect(tenant, after.position(0)).matching(filter).fetch(c, db, limit));
    } catch (SQLException e) {
      throw new UnavailableException("cannot read the event log: " + e.getMessage(), e);
    }
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    requireOwn(after);
    if (limit <= 0) {
      return List.of();
    }
    try {
      return db.read(c -> EventSelect.allTenants(after.position(0)).fetch(c, db, limit));
    } catch (SQLException e) {
      throw new UnavailableException("cannot read the event log: " + e.getMessage(), e);
    }
  }

  private void requireOwn(Cursor cursor) {
    Cursor head = head();
    if (cursor.isStaleFor(head) && cursor.storeId().equals(storeId)) {
      // head() moves only after a commit has returned, so a reader may already hold the cursor of
      // an event committed a moment ago: it is past the end only if it is past the table's too.
      head = storedHead();
    }
    if (cursor.isStaleFor(head)) {
      throw new StaleCursorException(cursor, head);
    }
  }

  private Cursor storedHead() {
    try {
      return db.cursorAt(db.read(EventSelect::lastSeq));
    } catch (SQLException e) {
      throw new UnavailableException("cannot read the head of the event log: " + e.getMessage(), e);
    }
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** On the notifier thread: one failing listener must not starve the others. */
  private void deliver(List<StoredEvent> appended) {
    for (Consumer<List<StoredEvent>> listener : listeners) {
      try {
        listener.accept(appended);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a log listener failed on " + appended.size() + " events", e);
      }
    }
  }

  @Override
  public void check() {
    if (closed) {
      throw new UnavailableException("the event log is closed");
    }
    if (!writer.isRunning()) {
      throw new UnavailableException("the event log writer has stopped");
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
    db.releaseLog();
  }
}
