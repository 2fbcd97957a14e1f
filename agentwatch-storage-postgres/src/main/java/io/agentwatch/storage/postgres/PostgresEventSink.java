package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.rollup.RollupDelta;
import io.agentwatch.core.store.EventSink;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * History fed by another log (the Kafka topic, through its persisting consumer group): the
 * {@link EventSink} that writes events, with the positions that log gave them, into the same
 * tables {@link PostgresEventStore} queries. The database must have been opened with
 * {@link PostgresDatabase#openFollowing}, so the cursors of history reads are that log's and a
 * cursor taken from a live stream pages history too.
 *
 * <p>One {@link #write} is one transaction: claim the (tenant, id) of each event in
 * {@code event_ids} (an event written before — a second copy in the topic, or a batch handed again
 * after a crash — is skipped), insert the rest with their partition, offset and receive time,
 * move each partition's head to the highest offset written, and add to the rollups. Nothing is
 * half-written. Several consumers may write at once (they own different partitions). A receive
 * time whose time partition is missing gets it created, then the write is tried again.
 * Thread-safe; blocks on I/O; {@link UnavailableException} when the database fails.
 */
public final class PostgresEventSink implements EventSink {

  private static final String CLAIM_IDS = "INSERT INTO event_ids (tenant, id, received_at)"
      + " SELECT u.tenant, u.id, u.at::timestamptz FROM unnest(?::text[], ?::text[], ?::text[]) AS u(tenant, id, at)"
      + " ORDER BY u.tenant, u.id ON CONFLICT DO NOTHING RETURNING tenant, id";
  private static final String ADVANCE = "UPDATE log_partitions SET next_offset = GREATEST(next_offset, u.n)"
      + " FROM unnest(?::int[], ?::bigint[]) AS u(p, n) WHERE partition = u.p";

  private final PostgresDatabase db;
  private final PartitionMaintainer partitions;

  /** @throws IllegalArgumentException when {@code db} keeps a log of its own */
  public PostgresEventSink(PostgresDatabase db, Clock clock) {
    if (!db.followsAnotherLog()) {
      throw new IllegalArgumentException("the PostgreSQL store (schema " + db.config().schema()
          + ") keeps its own log; open it with PostgresDatabase.openFollowing to feed it from another");
    }
    this.db = db;
    this.partitions = new PartitionMaintainer(db, clock);
  }

  @Override
  public void write(List<StoredEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (StoredEvent e : events) {
      if (e.partition() < 0 || e.partition() >= db.logPartitions()) {
        throw new IllegalArgumentException("event " + e.event().id() + " is of partition " + e.partition()
            + " but the log has " + db.logPartitions());
      }
    }
    try {
      try {
        db.inTransaction(c -> insert(c, events));
      } catch (SQLException e) {
        if (!PartitionMaintainer.isMissingPartition(e)) {
          throw e;
        }
        Set<Instant> hours = new TreeSet<>();
        events.forEach(s -> hours.add(s.receivedAt().truncatedTo(ChronoUnit.HOURS)));
        for (Instant hour : hours) {
          partitions.ensureCovering(hour);
        }
        db.inTransaction(c -> insert(c, events));
      }
    } catch (SQLException e) {
      if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
        // A data exception: this batch holds an event PostgreSQL will never take; retrying cannot help.
        throw new IllegalArgumentException("the history refuses an event of the batch: " + e.getMessage(), e);
      }
      throw PostgresDatabase.unavailable("write " + events.size() + " events into the history", e);
    }
  }

  private Void insert(Connection c, List<StoredEvent> events) throws SQLException {
    // One copy per (tenant, id) within the batch; the claim skips those written before.
    Map<String, StoredEvent> unique = new LinkedHashMap<>();
    for (StoredEvent e : events) {
      unique.putIfAbsent(e.tenant() + '\u0000' + e.event().id(), e);
    }
    Set<String> claimed = claim(c, unique.values());
    List<StoredEvent> fresh = new ArrayList<>();
    RollupDelta rollups = new RollupDelta();
    for (Map.Entry<String, StoredEvent> e : unique.entrySet()) {
      if (claimed.contains(e.getKey())) {
        fresh.add(e.getValue());
        rollups.add(e.getValue().tenant(), e.getValue().event());
      }
    }
    if (fresh.isEmpty()) {
      return null;
    }
    insertEvents(c, fresh);
    advance(c, fresh);
    PostgresRollups.apply(c, rollups);
    return null;
  }

  private static Set<String> claim(Connection c, Collection<StoredEvent> events) throws SQLException {
    String[] tenants = new String[events.size()];
    String[] ids = new String[events.size()];
    String[] at = new String[events.size()];
    int i = 0;
    for (StoredEvent e : events) {
      tenants[i] = e.tenant();
      ids[i] = e.event().id();
      at[i] = Sql.timestamp(e.receivedAt());
      i++;
    }
    Set<String> claimed = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(CLAIM_IDS)) {
      ps.setArray(1, c.createArrayOf("text", tenants));
      ps.setArray(2, c.createArrayOf("text", ids));
      ps.setArray(3, c.createArrayOf("text", at));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(rs.getString(1) + '\u0000' + rs.getString(2));
        }
      }
    }
    return claimed;
  }

  private static void insertEvents(Connection c, List<StoredEvent> fresh) throws SQLException {
    long group;
    try (PreparedStatement ps = c.prepareStatement("SELECT nextval('log_groups')"); ResultSet rs = ps.executeQuery()) {
      rs.next();
      group = rs.getLong(1);
    }
    List<EventRows.Row> rows = new ArrayList<>(fresh.size());
    for (int j = 0; j < fresh.size(); j++) {
      StoredEvent s = fresh.get(j);
      rows.add(new EventRows.Row(group * AppendTransaction.MAX_ROWS + j, s.partition(), s.offset(), s.tenant(),
          s.event(), s.envelopeJson(), s.receivedAt()));
    }
    EventRows.insert(c, rows);
  }

  /** Moves each written partition's head past its highest offset written (never back). */
  private static void advance(Connection c, List<StoredEvent> fresh) throws SQLException {
    Map<Integer, Long> ends = new HashMap<>();
    for (StoredEvent s : fresh) {
      ends.merge(s.partition(), s.offset() + 1, Math::max);
    }
    try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setArray(1, c.createArrayOf("int4", ends.keySet().toArray(Integer[]::new)));
      ps.setArray(2, c.createArrayOf("int8", ends.values().toArray(Long[]::new)));
      ps.executeUpdate();
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
