package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@link EventStore} on PostgreSQL: history queries (run, agent, type patterns, producer
 * time, paging by cursor) over the events table, each served by an index of its own (see the
 * migration). An event is queryable as soon as its append completed, on any node.
 *
 * <p>Producer time bounds are exact to the nanosecond. One row more than the limit is fetched to
 * tell whether a next page exists; {@code next} is the running cursor after the page's last
 * event. With a store that follows another log ({@link PostgresDatabase#openFollowing}) the cursors
 * are that log's, and an event is queryable once the {@link PostgresEventSink} wrote it.
 * Thread-safe; blocks on I/O and throws {@link io.agentwatch.core.log.UnavailableException}
 * when the database fails.
 */
public final class PostgresEventStore implements EventStore {

  private final PostgresDatabase db;
  private final Partitioner partitioner;

  public PostgresEventStore(PostgresDatabase db) {
    this.db = db;
    this.partitioner = db.followsAnotherLog() ? Partitioner.unknown(db.logPartitions())
        : new Partitioner(db.logPartitions());
  }

  @Override
  public EventPage query(String tenant, EventQuery query) {
    Cursor after = query.after() == null ? db.beginning() : query.after();
    try {
      return db.read(c -> {
        if (after != db.beginning()) {
          Cursor head = EventSelect.head(c, db.storeId(), partitioner.count());
          // History fed by another log lags it: a cursor past what is written here yet is not stale.
          boolean stale = db.followsAnotherLog() ? !after.storeId().equals(db.storeId()) : after.isStaleFor(head);
          if (stale) {
            throw new StaleCursorException(after, head);
          }
        }
        List<StoredEvent> rows = EventSelect.ofTenant(partitioner, tenant)
            .matching(query.filter())
            .from(query.from())
            .before(query.to())
            .fetch(c, after, query.limit() + 1);
        if (rows.size() <= query.limit()) {
          return new EventPage(rows, null);
        }
        List<StoredEvent> page = rows.subList(0, query.limit());
        return new EventPage(page, page.getLast().cursor());
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("query the event history", e);
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
