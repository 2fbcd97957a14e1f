package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.sql.SQLException;
import java.util.List;

/**
 * The embedded {@link EventStore}: history queries over the events table that
 * {@link SqliteEventLog} writes, on the read-only connections of the same
 * {@link SqliteDatabase}. An event is queryable as soon as its append has completed.
 *
 * <p>Producer time bounds are exact to the nanosecond. One row more than the limit is fetched to
 * tell whether a next page exists. Thread-safe; blocks on I/O.
 */
public final class SqliteEventStore implements EventStore {

  private final SqliteDatabase db;

  public SqliteEventStore(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public EventPage query(String tenant, EventQuery query) {
    Cursor after = query.after() == null ? db.beginning() : query.after();
    try {
      if (after != db.beginning()) {
        Cursor head = db.cursorAt(db.read(EventSelect::lastSeq));
        if (after.isStaleFor(head)) {
          throw new StaleCursorException(after, head);
        }
      }
      List<StoredEvent> rows = db.read(c -> new EventSelect(tenant, after.position(0))
          .matching(query.filter())
          .from(query.from())
          .before(query.to())
          .fetch(c, db, query.limit() + 1));
      if (rows.size() <= query.limit()) {
        return new EventPage(rows, null);
      }
      List<StoredEvent> page = rows.subList(0, query.limit());
      return new EventPage(page, page.getLast().cursor());
    } catch (SQLException e) {
      throw new UnavailableException("cannot query the event history: " + e.getMessage(), e);
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
