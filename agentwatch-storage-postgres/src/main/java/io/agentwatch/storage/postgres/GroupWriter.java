package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.GroupCommitter;
import io.agentwatch.core.log.GroupCommitter.Pending;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The log's writer on one node: a {@link GroupCommitter} whose commit stores each group in one
 * {@link AppendTransaction} on its own connection and hands the committed events to
 * {@code onCommitted}.
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
  private static final System.Logger LOG = System.getLogger(GroupWriter.class.getName());

  private final PostgresDatabase db;
  private final AppendTransaction transaction;
  private final PartitionMaintainer partitions;
  private final Clock clock;
  private final Consumer<List<StoredEvent>> onCommitted;
  private final GroupCommitter<AppendTransaction.Request> committer;
  private Connection connection;

  GroupWriter(PostgresDatabase db, AppendTransaction transaction, PartitionMaintainer partitions, Clock clock,
      Consumer<List<StoredEvent>> onCommitted) {
    this.db = db;
    this.transaction = transaction;
    this.partitions = partitions;
    this.clock = clock;
    this.onCommitted = onCommitted;
    this.committer = new GroupCommitter<>("postgres-log", MAX_GROUP_EVENTS, MAX_PENDING_EVENTS,
        r -> r.events().size(), this::commit);
  }

  void start() {
    committer.start();
  }

  boolean isRunning() {
    return committer.isRunning();
  }

  /** Queues {@code request}, or fails it at once when closed or saturated. */
  CompletableFuture<List<AppendResult>> submit(AppendTransaction.Request request) {
    return committer.submit(request);
  }

  private void commit(List<Pending<AppendTransaction.Request>> group) throws SQLException {
    AppendTransaction.Outcome outcome;
    try {
      outcome = store(group);
    } catch (SQLException | RuntimeException e) {
      disconnect();
      if (group.size() > 1 && e instanceof SQLException s && s.getSQLState() != null
          && s.getSQLState().startsWith("22")) {
        // Refused for its data: find the request that carries it, and store the others.
        LOG.log(System.Logger.Level.WARNING, "a group of " + group.size() + " appends was refused for its data;"
            + " storing them one by one", e);
        group.forEach(this::commitAlone);
        return;
      }
      throw e;
    }
    for (int i = 0; i < group.size(); i++) {
      group.get(i).complete(outcome.results().get(i));
    }
    if (!outcome.appended().isEmpty()) {
      onCommitted.accept(outcome.appended());
    }
  }

  private void commitAlone(Pending<AppendTransaction.Request> request) {
    try {
      commit(List.of(request));
    } catch (SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "could not store an append; it fails as unavailable", e);
      request.fail(e);
    }
  }

  /** One transaction; once more if the time partition for now was missing (then it is created first). */
  private AppendTransaction.Outcome store(List<Pending<AppendTransaction.Request>> group) throws SQLException {
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<AppendTransaction.Request> batch = group.stream().map(Pending::request).toList();
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

  /** Stops taking requests, stores those already queued, then stops. */
  void close() {
    committer.close();
    // The writer thread has stopped: its connection is this thread's to close.
    disconnect();
  }
}
