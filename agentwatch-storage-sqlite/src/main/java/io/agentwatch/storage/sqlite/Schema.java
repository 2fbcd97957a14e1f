package io.agentwatch.storage.sqlite;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The database schema as an ordered list of migrations. {@code meta.schema_version} records how
 * many have been applied; opening a database applies the missing ones in one transaction, so a
 * crash mid-migration leaves the previous version intact. Append new migrations, never edit
 * applied ones.
 */
final class Schema {

  /** The events table and its indexes; also what raw-SQLite baselines create, so both stay alike. */
  static final List<String> EVENTS = List.of(
      """
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY,
        tenant      TEXT    NOT NULL,
        id          TEXT    NOT NULL,
        type        TEXT    NOT NULL,
        agent_id    TEXT    NOT NULL,
        run_id      TEXT,
        ts_sec      INTEGER NOT NULL,
        ts_nano     INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        body        TEXT    NOT NULL,
        UNIQUE (tenant, id)
      )""",
      "CREATE INDEX events_by_tenant ON events (tenant, seq)",
      "CREATE INDEX events_by_run ON events (tenant, run_id, seq)",
      "CREATE INDEX events_by_agent ON events (tenant, agent_id, seq)",
      "CREATE INDEX events_by_type ON events (tenant, type, seq)");

  private static final List<List<String>> MIGRATIONS = List.of(
      concat(EVENTS, List.of(
          """
          CREATE TABLE api_keys (
            id        TEXT PRIMARY KEY,
            tenant    TEXT NOT NULL,
            name      TEXT,
            scopes    TEXT NOT NULL,
            hash      TEXT NOT NULL,
            created   TEXT NOT NULL,
            last_used TEXT,
            revoked   TEXT
          )""",
          "CREATE INDEX api_keys_by_tenant ON api_keys (tenant)")),
      // Projections (agents, runs, tasks) and time-travel snapshots; their cursor lives in meta.
      List.of(
          """
          CREATE TABLE projection_rows (
            tenant TEXT NOT NULL,
            kind   TEXT NOT NULL,
            key    TEXT NOT NULL,
            json   TEXT NOT NULL,
            PRIMARY KEY (tenant, kind, key)
          )""",
          """
          CREATE TABLE run_snapshots (
            tenant         TEXT    NOT NULL,
            run_id         TEXT    NOT NULL,
            events         INTEGER NOT NULL,
            cursor         TEXT    NOT NULL,
            max_ts         TEXT    NOT NULL,
            segment_min_ts TEXT    NOT NULL,
            json           TEXT    NOT NULL,
            PRIMARY KEY (tenant, run_id, events)
          )"""),
      // Webhook subscriptions and their delivery queue; the matcher's log position lives in meta.
      List.of(
          """
          CREATE TABLE webhooks (
            id      TEXT    PRIMARY KEY,
            tenant  TEXT    NOT NULL,
            url     TEXT    NOT NULL,
            secret  TEXT    NOT NULL,
            types   TEXT    NOT NULL,
            enabled INTEGER NOT NULL,
            created TEXT    NOT NULL,
            after_cursor TEXT NOT NULL
          )""",
          "CREATE INDEX webhooks_by_tenant ON webhooks (tenant)",
          """
          CREATE TABLE webhook_deliveries (
            seq          INTEGER PRIMARY KEY,
            id           TEXT    NOT NULL UNIQUE,
            tenant       TEXT    NOT NULL,
            webhook_id   TEXT    NOT NULL,
            event_id     TEXT    NOT NULL,
            event_type   TEXT    NOT NULL,
            body         TEXT    NOT NULL,
            state        TEXT    NOT NULL,
            attempts     INTEGER NOT NULL,
            next_attempt INTEGER,
            last_status  INTEGER,
            last_error   TEXT,
            last_attempt INTEGER,
            created      INTEGER NOT NULL,
            version      INTEGER NOT NULL
          )""",
          "CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq)",
          "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt, seq)"
              + " WHERE state = 'pending'"));

  static final int VERSION = MIGRATIONS.size();

  private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Schema() {}

  /** Brings the schema up to {@link #VERSION} and returns the store id, creating it once. */
  static String migrate(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("BEGIN IMMEDIATE");
      try {
        s.executeUpdate("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID");
        int version = Integer.parseInt(meta(c, "schema_version", "0"));
        if (version > VERSION) {
          throw new SQLException("the database has schema version " + version + ", written by a newer Agentwatch; "
              + "this one knows versions up to " + VERSION);
        }
        for (int v = version; v < VERSION; v++) {
          for (String sql : MIGRATIONS.get(v)) {
            s.executeUpdate(sql);
          }
        }
        setMeta(c, "schema_version", Integer.toString(VERSION), true);
        setMeta(c, "store_id", newStoreId(), false);
        String storeId = meta(c, "store_id", null);
        s.executeUpdate("COMMIT");
        return storeId;
      } catch (SQLException | RuntimeException e) {
        SqliteDatabase.rollbackQuietly(s, e);
        throw e;
      }
    }
  }

  private static String meta(Connection c, String name, String absent) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : absent;
      }
    }
  }

  private static void setMeta(Connection c, String name, String value, boolean replace) throws SQLException {
    String conflict = replace ? "DO UPDATE SET value = excluded.value" : "DO NOTHING";
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) " + conflict)) {
      ps.setString(1, name);
      ps.setString(2, value);
      ps.executeUpdate();
    }
  }

  /** 16 random letters and digits (95 bits): a wiped folder never reuses an old id. */
  private static String newStoreId() {
    SecureRandom random = new SecureRandom();
    StringBuilder sb = new StringBuilder(16);
    for (int i = 0; i < 16; i++) {
      sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
    }
    return sb.toString();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }
}
