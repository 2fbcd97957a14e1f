package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The embedded {@link PositionStore}: one row {@code position.<reader>} of the database's
 * {@code meta} table per reader. Saved through the projections' connection (no fsync per commit,
 * see {@link SqliteDatabase}): a position lost in a power cut only makes its reader re-read part of
 * the log. Thread-safe; throws {@link UnavailableException} when the database fails.
 */
public final class SqlitePositionStore implements PositionStore {

  private static final String PREFIX = "position.";
  private static final String UPSERT = "INSERT INTO meta (name, value) VALUES (?, ?)"
      + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";

  private final SqliteDatabase db;

  public SqlitePositionStore(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public Optional<Cursor> load(String reader) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
          ps.setString(1, PREFIX + reader);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(Cursor.parse(rs.getString(1))) : Optional.empty();
          }
        }
      });
    } catch (SQLException e) {
      throw unavailable("load the position of " + reader, e);
    }
  }

  @Override
  public void save(String reader, Cursor position) {
    try {
      db.writeProjections(c -> {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
          ps.setString(1, PREFIX + reader);
          ps.setString(2, position.toString());
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw unavailable("save the position of " + reader, e);
    }
  }

  @Override
  public void clear(String reader) {
    try {
      db.writeProjections(c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM meta WHERE name = ?")) {
          ps.setString(1, PREFIX + reader);
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw unavailable("clear the position of " + reader, e);
    }
  }

  @Override
  public void check() {
    db.check();
  }

  private static UnavailableException unavailable(String what, SQLException e) {
    return new UnavailableException("cannot " + what + ": " + e.getMessage(), e);
  }
}
