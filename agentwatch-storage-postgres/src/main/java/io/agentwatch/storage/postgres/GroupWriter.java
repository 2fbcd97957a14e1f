package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
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
 * The log's writer on one node: callers queue requests; one thread takes the first waiting
 * request plus whatever else waits (up to {@link #MAX_GROUP_EVENTS} events) and stores the group
 * in one {@link AppendTransaction} on its own connection. The batch adapts by itself: when
 * appends are rare each commits alone (lowest latency), under load they pile up behind the
 * running commit and the next one carries them all (fewest commits). Futures complete on virtual
 * threads after the commit; the committed events go to {@code onCommitted}.
 *
 * <p>A failed group fails its appends with {@link UnavailableException} and the writer reconnects
 * for the next one: nothing of a rolled-back group was stored, and a commit whose answer was lost
 * on the wire may have stored it — a retry is harmless either way (idempotent). A group the
 * database refuses for its data is split, so one request cannot fail the others.
 */
final class GroupWriter {

  static final int MAX_GROUP_EVENTS = 5_000;
  /** Events allowed to wait for the writer; beyond, appends are refused as unavailable (503) at once. */
  static final int MAX_PENDING_EVENTS = 200_000;
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);
  private static final System.Logger LOG = System.getLogger(GroupWriter.class.getName());

  record Pending(AppendTransaction.Request request, CompletableFuture<List<AppendResult>> future) {}

  private final PostgresDatabase db;
  private final AppendTransaction transaction;
  private final PartitionMaintainer partitions;
  private final Clock clock;
  private final Consumer<List<StoredEvent>> onCommitted;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private int pendingEvents;
  private boolean closed;
  private final Thread thread;
  private final ExecutorService acks;
  private final List<Pending> group = new ArrayList<>();
  private Connection connection;

  GroupWriter(PostgresDatabase db, AppendTransaction transaction, PartitionMaintainer partitions, Clock clock,
      Consumer<List<StoredEvent>> onCommitted) {
    this.db = db;
    this.transaction = transaction;
    this.partitions = partitions;
    this.clock = clock;
    this.onCommitted = onCommitted;
    this.thread = Thread.ofPlatform().name("postgres-log-writer").daemon(true).unstarted(this::run);
    this.acks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("postgres-log-ack-", 0).factory());
  }

  void start() {
    thread.start();
  }

  boolean isRunning() {
    return thread.isAlive();
  }

  CompletableFuture<List<AppendResult>> submit(AppendTransaction.Request request) {
    CompletableFuture<List<AppendResult>> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new UnavailableException("the event log is closed"));
      }
      if (pendingEvents > 0 && pendingEvents + request.events().size() > MAX_PENDING_EVENTS) {
        return CompletableFuture.failedFuture(new UnavailableException(
            "the event log is saturated (" + pendingEvents + " events waiting to be written); retry shortly"));
      }
      pending.add(new Pending(request, future));
      pendingEvents += request.events().size();
      queued.signal();
    } finally {
      lock.unlock();
    }
    return future;
  }

  private void run() {
    try {
      while (takeGroup()) {
        commit(group);
        group.clear();
      }
    } finally {
      disconnect();
      failRemaining();
    }
  }

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
        Pending next = pending.poll();
        group.add(next);
        events += next.request().events().size();
      } while (!pending.isEmpty() && events + pending.peek().request().events().size() <= MAX_GROUP_EVENTS);
      pendingEvents -= events;
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void commit(List<Pending> requests) {
    AppendTransaction.Outcome outcome;
    try {
      outcome = store(requests);
    } catch (SQLException e) {
      disconnect();
      if (requests.size() > 1 && e.getSQLState() != null && e.getSQLState().startsWith("22")) {
        // Refused for its data: find the request that carries it, and store the others.
        LOG.log(System.Logger.Level.WARNING, "a group of " + requests.size() + " appends was refused for its data;"
            + " storing them one by one", e);
        requests.forEach(r -> commit(List.of(r)));
        return;
      }
      fail(requests, e);
      return;
    } catch (RuntimeException e) {
      disconnect();
      fail(requests, e);
      return;
    }
    for (int i = 0; i < requests.size(); i++) {
      CompletableFuture<List<AppendResult>> future = requests.get(i).future();
      List<AppendResult> results = outcome.results().get(i);
      acks.execute(() -> future.complete(results));
    }
    if (!outcome.appended().isEmpty()) {
      onCommitted.accept(outcome.appended());
    }
  }

  private void fail(List<Pending> requests, Exception e) {
    LOG.log(System.Logger.Level.WARNING, "could not store " + requests.size() + " appends; they fail as unavailable", e);
    UnavailableException failure = new UnavailableException("could not store the events: " + e.getMessage(), e);
    for (Pending r : requests) {
      acks.execute(() -> r.future().completeExceptionally(failure));
    }
  }

  /** One transaction; once more if the time partition for now was missing (then it is created first). */
  private AppendTransaction.Outcome store(List<Pending> requests) throws SQLException {
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<AppendTransaction.Request> batch = requests.stream().map(Pending::request).toList();
    try {
      return attempt(batch, receivedAt);
    } catch (SQLException e) {
      if (!PartitionMaintainer.isMissingPartition(e)) {
        throw e;
      }
      partitions.ensureCovering(receivedAt);
      return attempt(batch, receivedAt);
    }
  }

  private AppendTransaction.Outcome attempt(List<AppendTransaction.Request> batch, Instant receivedAt)
      throws SQLException {
    Connection c = connection();
    try {
      AppendTransaction.Outcome outcome = transaction.run(c, batch, receivedAt);
      c.commit();
      return outcome;
    } catch (SQLException | RuntimeException e) {
      PostgresDatabase.rollbackQuietly(c, e);
      throw e;
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = db.dedicatedConnection();
      connection.setAutoCommit(false);
    }
    return connection;
  }

  private void disconnect() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the writer's connection failed", e);
      }
      connection = null;
    }
  }

  private void failRemaining() {
    List<Pending> left = new ArrayList<>(group);
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

  /** Stops taking requests, stores those already queued, then stops. */
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
    acks.shutdown();
    try {
      acks.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
