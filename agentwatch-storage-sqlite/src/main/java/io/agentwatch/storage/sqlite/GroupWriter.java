package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The event log's single writer. Callers queue requests; one thread takes the first waiting
 * request plus whatever else waits (up to {@link #MAX_GROUP_EVENTS} events) and stores the group
 * in one transaction, so one fsync acknowledges many callers. After the commit it completes the
 * callers' futures (on virtual threads, so their callbacks never hold up the next commit) and
 * hands the group's new events to one notifier thread, which delivers them in log order.
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
  record Request(String tenant, List<Event> events, List<String> envelopes,
                 CompletableFuture<List<AppendResult>> future) {}

  private record Outcome(List<List<AppendResult>> results, List<StoredEvent> appended, long nextSeq) {}

  private final SqliteDatabase db;
  private final Clock clock;
  private final Consumer<List<StoredEvent>> onAppended;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final ArrayDeque<Request> pending = new ArrayDeque<>();
  private int pendingEvents;
  private boolean closed;
  private final Thread thread;
  private final ExecutorService notifier;
  private final ExecutorService acks;
  private final List<Request> group = new ArrayList<>();
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
    this.thread = Thread.ofPlatform().name("sqlite-log-writer").daemon(true).unstarted(this::run);
    this.notifier = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("sqlite-log-notifier").daemon(true).factory());
    this.acks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sqlite-log-ack-", 0).factory());
  }

  void start() {
    thread.start();
  }

  /** The last stored position, -1 when the log is empty. */
  long lastSeq() {
    return lastSeq;
  }

  boolean isRunning() {
    return thread.isAlive();
  }

  /** Queues {@code request}, or fails it at once after {@link #close()}. */
  CompletableFuture<List<AppendResult>> submit(Request request) {
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new UnavailableException("the event log is closed"));
      }
      if (pendingEvents > 0 && pendingEvents + request.events().size() > MAX_PENDING_EVENTS) {
        return CompletableFuture.failedFuture(new UnavailableException(
            "the event log is saturated (" + pendingEvents + " events waiting to be written); retry shortly"));
      }
      pending.add(request);
      pendingEvents += request.events().size();
      queued.signal();
    } finally {
      lock.unlock();
    }
    return request.future();
  }

  private void run() {
    try {
      while (takeGroup()) {
        commitGroup();
        group.clear();
      }
    } finally {
      failRemaining();
    }
  }

  /** Waits for work; false once closed and drained. */
  private boolean takeGroup() {
    lock.lock();
    try {
      while (pending.isEmpty()) {
        if (closed) {
          return false;
        }
        queued.awaitUninterruptibly();
      }
      int events = 0;
      do {
        Request next = pending.poll();
        group.add(next);
        events += next.events().size();
      } while (!pending.isEmpty() && events + pending.peek().events().size() <= MAX_GROUP_EVENTS);
      pendingEvents -= events;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void commitGroup() {
    Outcome outcome;
    try {
      outcome = db.write(this::insertGroup);
    } catch (SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not store " + group.size() + " appends; they fail as unavailable", e);
      UnavailableException failure = new UnavailableException("could not store the events: " + e.getMessage(), e);
      for (Request r : group) {
        acks.execute(() -> r.future().completeExceptionally(failure));
      }
      resync();
      return;
    }
    if (!outcome.appended().isEmpty()) {
      nextSeq = outcome.nextSeq();
      lastSeq = nextSeq - 1;
    }
    for (int i = 0; i < group.size(); i++) {
      CompletableFuture<List<AppendResult>> future = group.get(i).future();
      List<AppendResult> results = outcome.results().get(i);
      acks.execute(() -> future.complete(results));
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

  private Outcome insertGroup(Connection c) throws SQLException {
    if (insert == null) {
      insert = c.prepareStatement(INSERT);
    }
    insert.clearBatch();
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    long receivedMicros = EventSelect.micros(receivedAt);
    for (Request r : group) {
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
    for (Request r : group) {
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

  /** Only reached early if the writer died of an Error: nobody may wait forever. */
  private void failRemaining() {
    List<Request> left = new ArrayList<>(group);
    lock.lock();
    try {
      closed = true;
      left.addAll(pending);
      pending.clear();
      pendingEvents = 0;
    } finally {
      lock.unlock();
    }
    UnavailableException failure = new UnavailableException("the event log writer stopped");
    left.forEach(r -> r.future().completeExceptionally(failure));
  }

  /** Stops taking requests, stores those already queued, then stops the threads. */
  void close() {
    lock.lock();
    try {
      closed = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    notifier.shutdown();
    acks.shutdown();
    try {
      notifier.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      acks.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
