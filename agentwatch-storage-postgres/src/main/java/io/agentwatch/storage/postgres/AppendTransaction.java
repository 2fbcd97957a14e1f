package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.rollup.RollupDelta;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One group of appends stored in one transaction: see {@link PostgresEventLog} for why the steps
 * are in this order. Not thread-safe; one per group.
 */
final class AppendTransaction {

  static final String LOCK = "SELECT partition, next_offset FROM log_partitions WHERE partition = ANY (?)"
      + " ORDER BY partition FOR UPDATE";
  static final String NUMBER = "SELECT nextval('log_groups'), array_agg(next_offset ORDER BY partition)"
      + " FROM log_partitions";
  static final String CLAIM_IDS = "INSERT INTO event_ids (tenant, id, received_at)"
      + " SELECT u.tenant, u.id, ?::timestamptz FROM unnest(?::text[], ?::text[]) AS u(tenant, id)"
      + " ORDER BY u.tenant, u.id ON CONFLICT DO NOTHING RETURNING tenant, id";
  static final String ADVANCE = "UPDATE log_partitions SET next_offset = u.n"
      + " FROM unnest(?::int[], ?::bigint[]) AS u(p, n) WHERE partition = u.p";
  /** Rows an append transaction may number: {@code seq} is the group's number times this plus the row's place. */
  static final int MAX_ROWS = 1 << 16;

  /** One append call, its events already encoded on the caller's thread. */
  record Request(String tenant, List<Event> events, List<String> envelopes) {}

  /** What the transaction did: per request its results, and the stored events in log order. */
  record Outcome(List<List<AppendResult>> results, List<StoredEvent> appended) {}

  private record Candidate(int request, int index, String tenant, Event event, String envelope, int partition) {}

  private final String storeId;
  private final Partitioner partitioner;
  private final String channel;
  private final String node;

  /**
   * @param node this node's name in its notifications, so its own follower can skip them; null
   *             when appends are announced some other way, and this sends no {@code NOTIFY}
   */
  AppendTransaction(PostgresDatabase db, Partitioner partitioner, String node) {
    this.storeId = db.storeId();
    this.partitioner = partitioner;
    this.channel = db.channel();
    this.node = node;
  }

  /** Runs the steps on {@code c}, inside a transaction the caller commits. */
  Outcome run(Connection c, List<Request> requests, Instant receivedAt) throws SQLException {
    AppendResult[][] results = new AppendResult[requests.size()][];
    List<Candidate> candidates = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (int r = 0; r < requests.size(); r++) {
      Request req = requests.get(r);
      results[r] = new AppendResult[req.events().size()];
      for (int i = 0; i < req.events().size(); i++) {
        Event e = req.events().get(i);
        if (keys.add(req.tenant() + '\u0000' + e.id())) {
          candidates.add(new Candidate(r, i, req.tenant(), e, req.envelopes().get(i), partitioner.of(req.tenant(), e)));
        } else {
          results[r][i] = AppendResult.duplicate(e.id());
        }
      }
    }
    if (candidates.size() > MAX_ROWS) {
      throw new IllegalArgumentException("a group holds at most " + MAX_ROWS + " events but had " + candidates.size());
    }
    List<StoredEvent> appended = new ArrayList<>();
    if (!candidates.isEmpty()) {
      lock(c, candidates);
      long[] next = new long[partitioner.count()];
      long group = number(c, next);
      Cursor cursor = Cursor.beginning(storeId, partitioner.count());
      for (int p = 0; p < next.length; p++) {
        if (next[p] > 0) {
          cursor = cursor.advance(p, next[p] - 1);
        }
      }
      Set<String> claimed = claim(c, candidates, receivedAt);
      List<Candidate> accepted = new ArrayList<>();
      RollupDelta rollups = new RollupDelta();
      for (Candidate k : candidates) {
        if (claimed.contains(k.tenant() + '\u0000' + k.event().id())) {
          accepted.add(k);
          rollups.add(k.tenant(), k.event());
        } else {
          results[k.request()][k.index()] = AppendResult.duplicate(k.event().id());
        }
      }
      if (!accepted.isEmpty()) {
        long[] offsets = insert(c, accepted, next, group, receivedAt);
        advance(c, accepted, next);
        PostgresRollups.apply(c, rollups);
        if (node != null) {
          notifyNodes(c);
        }
        for (int j = 0; j < accepted.size(); j++) {
          Candidate k = accepted.get(j);
          cursor = cursor.advance(k.partition(), offsets[j]);
          StoredEvent stored = StoredEvent.appended(k.tenant(), k.event(), k.envelope(), k.partition(), offsets[j],
              cursor, receivedAt);
          appended.add(stored);
          results[k.request()][k.index()] = AppendResult.accepted(stored);
        }
      }
    }
    List<List<AppendResult>> out = new ArrayList<>(requests.size());
    for (AppendResult[] r : results) {
      out.add(List.of(r));
    }
    return new Outcome(out, appended);
  }

  /**
   * Locks the rows of the partitions written, in partition order (two nodes locking the same
   * partitions never deadlock).
   */
  private static void lock(Connection c, List<Candidate> candidates) throws SQLException {
    TreeSet<Integer> partitions = new TreeSet<>();
    candidates.forEach(k -> partitions.add(k.partition()));
    try (PreparedStatement ps = c.prepareStatement(LOCK)) {
      ps.setArray(1, c.createArrayOf("int4", partitions.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        int locked = 0;
        while (rs.next()) {
          locked++;
        }
        if (locked != partitions.size()) {
          throw new SQLException("log partitions " + partitions + " must exist but only " + locked + " do");
        }
      }
    }
  }

  /**
   * Takes this group's number, and every partition's next offset. Rows this statement sees were
   * committed before it began, so their groups were numbered before this one: the heads it reads
   * cover only events that come before this group's in {@code seq} order.
   */
  private static long number(Connection c, long[] next) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(NUMBER); ResultSet rs = ps.executeQuery()) {
      rs.next();
      long group = rs.getLong(1);
      Long[] heads = (Long[]) rs.getArray(2).getArray();
      if (heads.length != next.length) {
        throw new SQLException("the store has " + heads.length + " log partitions but " + next.length + " are expected");
      }
      for (int p = 0; p < heads.length; p++) {
        next[p] = heads[p];
      }
      return group;
    }
  }

  /** Claims each (tenant, id) once for good; returns the keys this transaction claimed. */
  private static Set<String> claim(Connection c, List<Candidate> candidates, Instant receivedAt) throws SQLException {
    String[] tenants = new String[candidates.size()];
    String[] ids = new String[candidates.size()];
    for (int i = 0; i < tenants.length; i++) {
      tenants[i] = candidates.get(i).tenant();
      ids[i] = candidates.get(i).event().id();
    }
    Set<String> claimed = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement(CLAIM_IDS)) {
      ps.setString(1, Sql.timestamp(receivedAt));
      ps.setArray(2, c.createArrayOf("text", tenants));
      ps.setArray(3, c.createArrayOf("text", ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          claimed.add(rs.getString(1) + '\u0000' + rs.getString(2));
        }
      }
    }
    return claimed;
  }

  private static long[] insert(Connection c, List<Candidate> accepted, long[] next, long group, Instant receivedAt)
      throws SQLException {
    long[] offsets = new long[accepted.size()];
    long[] cursor = next.clone();
    List<EventRows.Row> rows = new ArrayList<>(accepted.size());
    for (int j = 0; j < accepted.size(); j++) {
      Candidate k = accepted.get(j);
      offsets[j] = cursor[k.partition()]++;
      rows.add(new EventRows.Row(group * MAX_ROWS + j, k.partition(), offsets[j], k.tenant(), k.event(),
          k.envelope(), receivedAt));
    }
    EventRows.insert(c, rows);
    return offsets;
  }

  private void advance(Connection c, List<Candidate> accepted, long[] next) throws SQLException {
    Map<Integer, Long> ends = new HashMap<>();
    for (Candidate k : accepted) {
      ends.merge(k.partition(), 1L, Long::sum);
    }
    Integer[] partitions = ends.keySet().toArray(Integer[]::new);
    Long[] nextOffsets = new Long[partitions.length];
    for (int i = 0; i < partitions.length; i++) {
      nextOffsets[i] = next[partitions[i]] + ends.get(partitions[i]);
    }
    try (PreparedStatement ps = c.prepareStatement(ADVANCE)) {
      ps.setArray(1, c.createArrayOf("int4", partitions));
      ps.setArray(2, c.createArrayOf("int8", nextOffsets));
      ps.executeUpdate();
    }
  }

  /** Wakes every node's followers once this transaction commits (PostgreSQL delivers it only then). */
  private void notifyNodes(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, node);
      ps.executeQuery().close();
    }
  }

  /**
   * The {@code data} object of an envelope made by {@code EventCodec.encodeEnvelope}: its last
   * field. The first {@code ,"data":} is the key itself, because a quote inside an earlier string
   * value is escaped. Null when JSONB could not hold it (an escaped U+0000).
   */
  static String dataOf(String envelope) {
    if (envelope.contains("\\u0000")) {
      return null;
    }
    int at = envelope.indexOf(",\"data\":");
    return envelope.substring(at + 8, envelope.length() - 1);
  }
}
