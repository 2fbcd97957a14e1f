package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.model.Cursor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded {@link ProjectionStore}: the {@code projection_rows} and {@code run_snapshots}
 * tables of a {@link SqliteDatabase}, beside the log the projections are derived from, and the
 * cursor they are current to as {@code meta.projection_cursor}.
 *
 * <p>Writes go through the database's projection connection ({@link SqliteDatabase#writeProjections}),
 * never through the log's writer: {@link #save} upserts its rows and records the cursor in one
 * transaction, so a crash leaves either the previous save or this one. {@link #load} reads rows
 * and cursor in one read transaction, so it never sees the rows of one save with the cursor of
 * another. Instants are ISO-8601 text ({@link Instant#toString()}), exact to the nanosecond for
 * every year an event may carry. Thread-safe; blocks on I/O and throws
 * {@link UnavailableException} when the database fails.
 */
public final class SqliteProjectionStore implements ProjectionStore {

  private static final String CURSOR = "projection_cursor";
  private static final String UPSERT_ROW = "INSERT INTO projection_rows (tenant, kind, key, json) VALUES (?, ?, ?, ?)"
      + " ON CONFLICT (tenant, kind, key) DO UPDATE SET json = excluded.json";
  private static final String SET_CURSOR = "INSERT INTO meta (name, value) VALUES ('" + CURSOR + "', ?)"
      + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
  private static final String INSERT_SNAPSHOT = "INSERT INTO run_snapshots"
      + " (tenant, run_id, events, cursor, max_ts, segment_min_ts, json) VALUES (?, ?, ?, ?, ?, ?, ?)"
      + " ON CONFLICT (tenant, run_id, events) DO NOTHING";

  private final SqliteDatabase db;

  public SqliteProjectionStore(SqliteDatabase db) {
    this.db = db;
  }

  @Override
  public Optional<Saved> load() {
    try {
      return db.read(c -> {
        c.setAutoCommit(false);
        try {
          return load(c);
        } finally {
          c.rollback();
          c.setAutoCommit(true);
        }
      });
    } catch (SQLException e) {
      throw unavailable("load the projections", e);
    }
  }

  private static Optional<Saved> load(Connection c) throws SQLException {
    String cursor;
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = '" + CURSOR + "'")) {
      cursor = rs.next() ? rs.getString(1) : null;
    }
    if (cursor == null) {
      return Optional.empty();
    }
    List<Row> rows = new ArrayList<>();
    try (Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT tenant, kind, key, json FROM projection_rows")) {
      while (rs.next()) {
        rows.add(new Row(rs.getString(1), Kind.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4)));
      }
    }
    return Optional.of(new Saved(Cursor.parse(cursor), rows));
  }

  @Override
  public void save(Cursor cursor, List<Row> rows) {
    try {
      db.writeProjections(c -> {
        try (PreparedStatement ps = c.prepareStatement(UPSERT_ROW)) {
          for (Row r : rows) {
            ps.setString(1, r.tenant());
            ps.setString(2, r.kind().name());
            ps.setString(3, r.key());
            ps.setString(4, r.json());
            ps.addBatch();
          }
          ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(SET_CURSOR)) {
          ps.setString(1, cursor.toString());
          ps.executeUpdate();
        }
        return null;
      });
    } catch (SQLException e) {
      throw unavailable("save " + rows.size() + " projection rows", e);
    }
  }

  @Override
  public void clear() {
    try {
      db.writeProjections(c -> {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("DELETE FROM projection_rows");
          s.executeUpdate("DELETE FROM run_snapshots");
          s.executeUpdate("DELETE FROM meta WHERE name = '" + CURSOR + "'");
        }
        return null;
      });
    } catch (SQLException e) {
      throw unavailable("clear the projections", e);
    }
  }

  @Override
  public List<RunSnapshot> snapshots(String tenant, String runId) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT cursor, events, max_ts, segment_min_ts, json"
            + " FROM run_snapshots WHERE tenant = ? AND run_id = ? ORDER BY events")) {
          ps.setString(1, tenant);
          ps.setString(2, runId);
          List<RunSnapshot> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new RunSnapshot(Cursor.parse(rs.getString(1)), rs.getLong(2), Instant.parse(rs.getString(3)),
                  Instant.parse(rs.getString(4)), rs.getString(5)));
            }
          }
          return out;
        }
      });
    } catch (SQLException e) {
      throw unavailable("read the snapshots of run " + runId, e);
    }
  }

  @Override
  public void saveSnapshot(String tenant, String runId, RunSnapshot snapshot) {
    try {
      db.writeProjections(c -> {
        try (PreparedStatement ps = c.prepareStatement(INSERT_SNAPSHOT)) {
          ps.setString(1, tenant);
          ps.setString(2, runId);
          ps.setLong(3, snapshot.events());
          ps.setString(4, snapshot.cursor().toString());
          ps.setString(5, snapshot.maxTs().toString());
          ps.setString(6, snapshot.segmentMinTs().toString());
          ps.setString(7, snapshot.json());
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw unavailable("save a snapshot of run " + runId, e);
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
