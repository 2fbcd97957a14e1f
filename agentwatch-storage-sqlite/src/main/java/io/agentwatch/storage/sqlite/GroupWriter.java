package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.GroupCommitter;
import io.agentwatch.core.log.GroupCommitter.Pending;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The event log's single writer: a {@link GroupCommitter} whose commit stores each group in one
 * transaction, so one fsync acknowledges many callers. It hands each committed group's new events
 * to one notifier thread, which delivers them in log order.
 *
 * <p>A group is one JDBC batch of {@code INSERT … ON CONFLICT (tenant, id) DO NOTHING}: the
 * per-row update counts tell stored (1) from duplicate (0), whether the duplicate was stored before
 * or earlier in the group. SQLite numbers each stored row {@code max(seq) + 1} and a duplicate
 * takes no number, so the k-th event a group stores gets {@code nextSeq + k}; before committing,
 * the writer checks the table's last {@code seq} against that count, so the positions it hands
 * out are always those of the rows. A failed group consumes no position. Nobody else writes
 * events ({@link SqliteDatabase#claimLog()}).
 */
final class GroupWriter {

  static final int MAX_GROUP_EVENTS = 5_000;
  /** Events allowed to wait for the writer; beyond, appends are refused as unavailable (503) at once. */
  static final int MAX_PENDING_EVENTS = 200_000;
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);
  private static final System.Logger LOG = System.getLogger(GroupWriter.class.getName());
  static final String INSERT = "INSERT INTO events"
      + " (tenant, id, type, agent_id, run_id, ts_sec, ts_nano, received_at, body)"
      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING";

  /** One append call, its events already encoded on the caller's thread. */
  record Request(String tenant, List<Event> events, List<String> envelopes) {}

  private record Outcome(List<List<AppendResult>> results, List<StoredEvent> appended, long nextSeq) {}

  private final SqliteDatabase db;
  private final Clock clock;
  private final Consumer<List<StoredEvent>> onAppended;
  private final GroupCommitter<Request> committer;
  private final ExecutorService notifier;
  private PreparedStatement insert;
  private long nextSeq;
  private volatile long lastSeq;

  /**
   * @param lastSeq    the last position already stored, -1 when none
   * @param onAppended receives each committed group's new events, on the notifier thread
   */
  GroupWriter(SqliteDatabase db, Clock clock, long lastSeq, Consumer<List<StoredEvent>> onAppended) {
    this.db = db;
    this.clock = clock;
    this.onAppended = onAppended;
    this.lastSeq = lastSeq;
    // SQLite numbers a new row max(seq) + 1, the first one 1.
    this.nextSeq = Math.max(lastSeq, 0) + 1;
    this.committer = new GroupCommitter<>("sqlite-log", MAX_GROUP_EVENTS, MAX_PENDING_EVENTS,
        r -> r.events().size(), this::commit);
    this.notifier = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("sqlite-log-notifier").daemon(true).factory());
  }

  void start() {
    committer.start();
  }

  /** The last stored position, -1 when the log is empty. */
  long lastSeq() {
    return lastSeq;
  }

  boolean isRunning() {
    return committer.isRunning();
  }

  /** Queues {@code request}, or fails it at once when closed or saturated. */
  CompletableFuture<List<AppendResult>> submit(Request request) {
    return committer.submit(request);
  }

  private void commit(List<Pending<Request>> group) throws SQLException {
    Outcome outcome;
    try {
      outcome = db.write(c -> insertGroup(c, group));
    } catch (SQLException | RuntimeException e) {
      resync();
      throw e;
    }
    if (!outcome.appended().isEmpty()) {
      nextSeq = outcome.nextSeq();
      lastSeq = nextSeq - 1;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).complete(outcome.results().get(i));
    }
    List<StoredEvent> appended = outcome.appended();
    if (!appended.isEmpty()) {
      notifier.execute(() -> onAppended.accept(appended));
    }
  }

  /**
   * After a failed group: if its rows became durable anyway (a commit whose fsync or cleanup
   * reported an error), take over their positions and announce them to live readers, so the log
   * neither refuses every later group nor hides those events. Their producers were told the
   * append failed and will retry, which stores nothing twice.
   */
  private void resync() {
    try {
      long last = db.read(EventSelect::lastSeq);
      if (last > lastSeq) {
        long from = lastSeq;
        List<StoredEvent> durable = db.read(c -> EventSelect.allTenants(from).fetch(c, db, (int) (last - from)));
        nextSeq = last + 1;
        lastSeq = last;
        notifier.execute(() -> onAppended.accept(durable));
      }
    } catch (SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not re-read the log's end after a failed group", e);
    }
  }

  private Outcome insertGroup(Connection c, List<Pending<Request>> group) throws SQLException {
    if (insert == null) {
      insert = c.prepareStatement(INSERT);
    }
    insert.clearBatch();
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    long receivedMicros = EventSelect.micros(receivedAt);
    for (Pending<Request> p : group) {
      Request r = p.request();
      for (int i = 0; i < r.events().size(); i++) {
        Event e = r.events().get(i);
        insert.setString(1, r.tenant());
        insert.setString(2, e.id());
        insert.setString(3, e.type());
        insert.setString(4, e.agentId());
        insert.setString(5, e.runId());
        insert.setLong(6, e.ts().getEpochSecond());
        insert.setInt(7, e.ts().getNano());
        insert.setLong(8, receivedMicros);
        insert.setString(9, r.envelopes().get(i));
        insert.addBatch();
      }
    }
    int[] inserted = insert.executeBatch();
    long seq = nextSeq;
    int row = 0;
    List<List<AppendResult>> results = new ArrayList<>(group.size());
    List<StoredEvent> appended = new ArrayList<>(inserted.length);
    for (Pending<Request> p : group) {
      Request r = p.request();
      AppendResult[] out = new AppendResult[r.events().size()];
      for (int i = 0; i < out.length; i++, row++) {
        Event e = r.events().get(i);
        if (inserted[row] == 1) {
          StoredEvent stored = StoredEvent.appended(r.tenant(), e, r.envelopes().get(i), 0, seq,
              db.cursorAt(seq), receivedAt);
          appended.add(stored);
          out[i] = AppendResult.accepted(stored);
          seq++;
        } else {
          out[i] = AppendResult.duplicate(e.id());
        }
      }
      results.add(List.of(out));
    }
    long last = EventSelect.lastSeq(c);
    if (Math.max(last, 0) + 1 != seq) {
      throw new SQLException("events are numbered up to " + last + " but " + (seq - 1) + " was expected");
    }
    return new Outcome(results, appended, seq);
  }

  /** Stops taking requests, stores those already queued, then stops the threads. */
  void close() {
    committer.close();
    notifier.shutdown();
    try {
      notifier.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
