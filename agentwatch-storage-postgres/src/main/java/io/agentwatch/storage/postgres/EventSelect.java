package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * A read of the events table shared by the log and the history store: the events after a cursor,
 * of one tenant (optionally narrowed by run, agent, type patterns and producer time) or of every
 * tenant, in log order.
 *
 * <p>Each partition is read from its own position with a range scan of an index ending in
 * {@code (partition, off)} — at most {@code limit} rows each — and the partitions' rows are
 * merged by {@code seq}, the order in which their append transactions took their numbers. Each
 * returned event carries the reader's running cursor: {@code after} advanced over it and every
 * event returned before it, so resuming from it continues exactly after it. A read by run scans
 * only the run's partition.
 */
final class EventSelect {

  private static final String COLUMNS = "seq, partition, off, tenant, envelope, received_at";

  private final Partitioner partitioner;
  /** Null for a read of every tenant. */
  private final String tenant;
  private final StringBuilder where = new StringBuilder();
  private final List<Object> params = new ArrayList<>();
  private int onlyPartition = -1;

  private EventSelect(Partitioner partitioner, String tenant) {
    this.partitioner = partitioner;
    this.tenant = tenant;
    if (tenant != null) {
      where.append(" AND tenant = ?");
      params.add(tenant);
    }
  }

  static EventSelect ofTenant(Partitioner partitioner, String tenant) {
    return new EventSelect(partitioner, tenant);
  }

  static EventSelect allTenants(Partitioner partitioner) {
    return new EventSelect(partitioner, null);
  }

  EventSelect matching(EventFilter filter) {
    if (filter.runId() != null) {
      where.append(" AND run_id = ?");
      params.add(Sql.text(filter.runId()));
      if (tenant != null && partitioner.knowsPlacement()) {
        onlyPartition = partitioner.of(tenant, filter.runId());
      }
    }
    if (filter.agentId() != null) {
      where.append(" AND agent_id = ?");
      params.add(Sql.text(filter.agentId()));
    }
    List<String> prefixes = filter.typePrefixes();
    if (filter.types().isEmpty() || prefixes.contains("")) {
      return this;
    }
    List<String> exact = filter.exactTypes();
    where.append(" AND (");
    String or = "";
    if (!exact.isEmpty()) {
      where.append("type = ANY (?)");
      params.add(exact.toArray(String[]::new));
      or = " OR ";
    }
    // A range instead of LIKE: no escaping of '_' or '%', and the type index serves it.
    for (String prefix : prefixes) {
      where.append(or).append("(type >= ? AND type < ?)");
      params.add(prefix);
      params.add(prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1));
      or = " OR ";
    }
    where.append(')');
    return this;
  }

  /** Producer time at or after {@code from}, exact to the nanosecond (null: unbounded). */
  EventSelect from(Instant from) {
    if (from != null) {
      String floor = Sql.timestamp(from);
      where.append(" AND ts >= ?::timestamptz AND (ts > ?::timestamptz OR ts_nano >= ?)");
      params.add(floor);
      params.add(floor);
      params.add(from.getNano());
    }
    return this;
  }

  /** Producer time before {@code to}, exact to the nanosecond (null: unbounded). */
  EventSelect before(Instant to) {
    if (to != null) {
      String floor = Sql.timestamp(to);
      where.append(" AND ts <= ?::timestamptz AND (ts < ?::timestamptz OR ts_nano < ?)");
      params.add(floor);
      params.add(floor);
      params.add(to.getNano());
    }
    return this;
  }

  /** Up to {@code limit} events not covered by {@code after}, in log order. */
  List<StoredEvent> fetch(Connection c, Cursor after, int limit) throws SQLException {
    List<Integer> partitions = new ArrayList<>();
    if (onlyPartition >= 0) {
      partitions.add(onlyPartition);
    } else {
      for (int p = 0; p < partitioner.count(); p++) {
        partitions.add(p);
      }
    }
    StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM (");
    List<Object> all = new ArrayList<>();
    for (int i = 0; i < partitions.size(); i++) {
      int p = partitions.get(i);
      sql.append(i == 0 ? "(" : " UNION ALL (")
          .append("SELECT ").append(COLUMNS).append(" FROM events WHERE partition = ? AND off > ?")
          .append(where).append(" ORDER BY off LIMIT ?)");
      all.add(p);
      all.add(after.position(p));
      all.addAll(params);
      all.add(limit);
    }
    sql.append(") AS u ORDER BY seq LIMIT ?");
    all.add(limit);
    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < all.size(); i++) {
        Object v = all.get(i);
        if (v instanceof String[] array) {
          ps.setArray(i + 1, c.createArrayOf("text", array));
        } else {
          ps.setObject(i + 1, v);
        }
      }
      List<StoredEvent> out = new ArrayList<>(Math.min(limit, 1024));
      Cursor running = after;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          int partition = rs.getInt(2);
          long offset = rs.getLong(3);
          running = running.advance(partition, offset);
          out.add(StoredEvent.read(rs.getString(4), rs.getString(5), partition, offset, running,
              rs.getObject(6, OffsetDateTime.class).toInstant()));
        }
      }
      return out;
    }
  }

  /** The cursor covering every committed event: each partition's last handed-out offset. */
  static Cursor head(Connection c, String storeId, int partitions) throws SQLException {
    Cursor head = Cursor.beginning(storeId, partitions);
    try (PreparedStatement ps = c.prepareStatement("SELECT partition, next_offset FROM log_partitions");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        if (rs.getLong(2) > 0) {
          head = head.advance(rs.getInt(1), rs.getLong(2) - 1);
        }
      }
    }
    return head;
  }
}
