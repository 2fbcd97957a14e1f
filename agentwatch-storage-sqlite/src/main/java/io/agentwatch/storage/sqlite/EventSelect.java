package io.agentwatch.storage.sqlite;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A read of the events table shared by the log and the history store: one tenant's events after
 * a position, optionally narrowed by run, agent, type patterns and producer time, in log order;
 * or every tenant's events after a position ({@link #allTenants}). Rows become
 * {@link StoredEvent}s without parsing their JSON.
 */
final class EventSelect {

  /** Null for a read of every tenant: each row then carries its own. */
  private final String tenant;
  private final StringBuilder sql;
  private final List<Object> params = new ArrayList<>();

  EventSelect(String tenant, long afterSeq) {
    this.tenant = tenant;
    this.sql = new StringBuilder("SELECT seq, body, received_at FROM events WHERE tenant = ? AND seq > ?");
    params.add(tenant);
    params.add(afterSeq);
  }

  private EventSelect(long afterSeq) {
    this.tenant = null;
    this.sql = new StringBuilder("SELECT seq, body, received_at, tenant FROM events WHERE seq > ?");
    params.add(afterSeq);
  }

  /** Every tenant's events after {@code afterSeq}: a range scan of the primary key. */
  static EventSelect allTenants(long afterSeq) {
    return new EventSelect(afterSeq);
  }

  EventSelect matching(EventFilter filter) {
    if (filter.runId() != null) {
      sql.append(" AND run_id = ?");
      params.add(filter.runId());
    }
    if (filter.agentId() != null) {
      sql.append(" AND agent_id = ?");
      params.add(filter.agentId());
    }
    List<String> prefixes = filter.typePrefixes();
    if (filter.types().isEmpty() || prefixes.contains("")) {
      return this;
    }
    List<String> exact = filter.exactTypes();
    sql.append(" AND (");
    String or = "";
    if (!exact.isEmpty()) {
      sql.append("type IN (").append("?, ".repeat(exact.size() - 1)).append("?)");
      params.addAll(exact);
      or = " OR ";
    }
    // A range instead of LIKE: no escaping of '_' or '%', and the type index serves it.
    for (String prefix : prefixes) {
      sql.append(or).append("(type >= ? AND type < ?)");
      params.add(prefix);
      params.add(successor(prefix));
      or = " OR ";
    }
    sql.append(')');
    return this;
  }

  /** The least string greater than every string starting with {@code prefix}. */
  private static String successor(String prefix) {
    int last = prefix.length() - 1;
    return prefix.substring(0, last) + (char) (prefix.charAt(last) + 1);
  }

  /** Producer time at or after {@code from}, exact to the nanosecond (null: unbounded). */
  EventSelect from(Instant from) {
    if (from != null) {
      sql.append(" AND (ts_sec > ? OR (ts_sec = ? AND ts_nano >= ?))");
      params.add(from.getEpochSecond());
      params.add(from.getEpochSecond());
      params.add(from.getNano());
    }
    return this;
  }

  /** Producer time before {@code to}, exact to the nanosecond (null: unbounded). */
  EventSelect before(Instant to) {
    if (to != null) {
      sql.append(" AND (ts_sec < ? OR (ts_sec = ? AND ts_nano < ?))");
      params.add(to.getEpochSecond());
      params.add(to.getEpochSecond());
      params.add(to.getNano());
    }
    return this;
  }

  List<StoredEvent> fetch(Connection c, SqliteDatabase db, int limit) throws SQLException {
    sql.append(" ORDER BY seq LIMIT ?");
    params.add(limit);
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        ps.setObject(i + 1, params.get(i));
      }
      List<StoredEvent> out = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long seq = rs.getLong(1);
          String owner = tenant != null ? tenant : rs.getString(4);
          out.add(StoredEvent.read(owner, rs.getString(2), 0, seq, db.cursorAt(seq), ofMicros(rs.getLong(3))));
        }
      }
      return out;
    }
  }

  /** The last position in the log, or -1 when it is empty. */
  static long lastSeq(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT MAX(seq) FROM events")) {
      long max = rs.next() ? rs.getLong(1) : 0;
      return rs.wasNull() ? -1 : max;
    }
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }

  static Instant ofMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
  }
}
