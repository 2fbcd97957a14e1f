package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The {@link PositionStore} on PostgreSQL: one row {@code position.<reader>} of the store's
 * {@code meta} table per reader, shared by every node. Nodes that run the same deterministic
 * reader (the analytics) may save over each other: whichever position is loaded, the reader only
 * re-reads part of the log, which its contract allows. Thread-safe; blocks on I/O and throws
 * {@link UnavailableException} when the database fails.
 */
public final class PostgresPositionStore implements PositionStore {

  private static final String PREFIX = "position.";

  private final PostgresDatabase db;

  public PostgresPositionStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public Optional<Cursor> load(String reader) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
          ps.setString(1, PREFIX + reader);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Cursor.parse(rs.getString(1))) : Optional.<Cursor>empty();
          }
        }
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("read the position of " + reader, e);
    }
  }

  @Override
  public void save(String reader, Cursor position) {
    update("save the position of " + reader, "INSERT INTO meta (name, value) VALUES (?, ?)"
        + " ON CONFLICT (name) DO UPDATE SET value = excluded.value", PREFIX + reader, position.toString());
  }

  @Override
  public void clear(String reader) {
    update("clear the position of " + reader, "DELETE FROM meta WHERE name = ?", PREFIX + reader);
  }

  private void update(String what, String sql, String... params) {
    try {
      db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < params.length; i++) {
            ps.setString(i + 1, params[i]);
          }
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable(what, e);
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
