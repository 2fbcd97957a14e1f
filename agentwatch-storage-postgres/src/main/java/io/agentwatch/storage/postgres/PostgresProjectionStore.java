package io.agentwatch.storage.postgres;

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
 * The {@link ProjectionStore} on PostgreSQL: {@code projection_rows} and {@code run_snapshots},
 * and the cursor the rows are current to as {@code meta.projection_cursor}.
 *
 * <p>{@link #save} upserts its rows and records the cursor in one transaction; {@link #load}
 * reads rows and cursor in one {@code REPEATABLE READ} transaction (one snapshot), so it never
 * sees the rows of one save with the cursor of another. Rows are kept as text exactly as given
 * (JSONB would reorder their keys). Instants are ISO-8601 text, exact to the nanosecond.
 * Thread-safe; blocks on I/O and throws {@link io.agentwatch.core.log.UnavailableException}
 * when the database fails.
 */
public final class PostgresProjectionStore implements ProjectionStore {

  private static final String CURSOR = "projection_cursor";
  private static final String UPSERT_ROWS = "INSERT INTO projection_rows (tenant, kind, key, json)"
      + " SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[])"
      + " ON CONFLICT (tenant, kind, key) DO UPDATE SET json = excluded.json";
  private static final String SET_CURSOR = "INSERT INTO meta (name, value) VALUES ('" + CURSOR + "', ?)"
      + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";
  private static final String INSERT_SNAPSHOT = "INSERT INTO run_snapshots"
      + " (tenant, run_id, events, cursor, max_ts, segment_min_ts, json) VALUES (?, ?, ?, ?, ?, ?, ?)"
      + " ON CONFLICT (tenant, run_id, events) DO NOTHING";

  private final PostgresDatabase db;

  public PostgresProjectionStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public Optional<Saved> load() {
    try {
      return db.inTransaction(c -> {
        try (Statement s = c.createStatement()) {
          s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        return load(c);
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("load the projections", e);
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
    int n = rows.size();
    String[][] columns = new String[4][n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      columns[0][i] = r.tenant();
      columns[1][i] = r.kind().name();
      columns[2][i] = Sql.text(r.key());
      columns[3][i] = r.json();
    }
    try {
      db.inTransaction(c -> {
        if (n > 0) {
          try (PreparedStatement ps = c.prepareStatement(UPSERT_ROWS)) {
            for (int j = 0; j < 4; j++) {
              ps.setArray(j + 1, c.createArrayOf("text", columns[j]));
            }
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = c.prepareStatement(SET_CURSOR)) {
          ps.setString(1, cursor.toString());
          ps.executeUpdate();
        }
        return null;
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("save " + n + " projection rows", e);
    }
  }

  @Override
  public void clear() {
    try {
      db.inTransaction(c -> {
        try (Statement s = c.createStatement()) {
          s.executeUpdate("DELETE FROM projection_rows");
          s.executeUpdate("DELETE FROM run_snapshots");
          s.executeUpdate("DELETE FROM meta WHERE name = '" + CURSOR + "'");
        }
        return null;
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("clear the projections", e);
    }
  }

  @Override
  public List<RunSnapshot> snapshots(String tenant, String runId) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT cursor, events, max_ts, segment_min_ts, json"
            + " FROM run_snapshots WHERE tenant = ? AND run_id = ? ORDER BY events")) {
          ps.setString(1, tenant);
          ps.setString(2, Sql.text(runId));
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
      throw PostgresDatabase.unavailable("read the snapshots of run " + runId, e);
    }
  }

  @Override
  public void saveSnapshot(String tenant, String runId, RunSnapshot snapshot) {
    try {
      db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(INSERT_SNAPSHOT)) {
          ps.setString(1, tenant);
          ps.setString(2, Sql.text(runId));
          ps.setLong(3, snapshot.events());
          ps.setString(4, snapshot.cursor().toString());
          ps.setString(5, snapshot.maxTs().toString());
          ps.setString(6, snapshot.segmentMinTs().toString());
          ps.setString(7, snapshot.json());
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("save a snapshot of run " + runId, e);
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
