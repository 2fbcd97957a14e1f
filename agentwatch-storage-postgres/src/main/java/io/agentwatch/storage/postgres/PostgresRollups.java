package io.agentwatch.storage.postgres;

import io.agentwatch.core.rollup.Bucket;
import io.agentwatch.core.rollup.RollupDelta;
import io.agentwatch.core.rollup.RollupPoint;
import io.agentwatch.core.rollup.RollupQuery;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link RollupStore} on PostgreSQL: {@code rollup_minute} and {@code rollup_hour} hold the
 * counters of {@link RollupDelta} per (tenant, bucket, run, agent), {@code task_spans} one row per
 * task. {@link PostgresEventLog} applies each group's delta in the same transaction as its events,
 * so the rollups are always exactly as current as the log (continuous-aggregate style, without a
 * refresh lag) and never count a duplicate; {@link #add} is for events stored by anything else.
 *
 * <p>Counters are upserted by addition. Task percentiles are {@code percentile_cont} over the
 * spans that ended in each bucket, computed when queried: exact, and cheap because a run has far
 * fewer tasks than events. Thread-safe; blocks on I/O and throws
 * {@link io.agentwatch.core.log.UnavailableException} when the database fails.
 */
public final class PostgresRollups implements RollupStore {

  private static final String UPSERT = "INSERT INTO %s AS r (tenant, bucket, run_id, agent_id, events, errors,"
      + " llm_calls, input_tokens, output_tokens, cost_usd, tasks_started, tasks_completed, tasks_failed)"
      + " SELECT u.tenant, u.bucket::timestamptz, u.run, u.agent, u.events, u.errors, u.llm, u.input, u.output, u.cost,"
      + " u.started, u.completed, u.failed"
      + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::int8[], ?::int8[], ?::int8[], ?::int8[],"
      + " ?::float8[], ?::int8[], ?::int8[], ?::int8[])"
      + " AS u(tenant, bucket, run, agent, events, errors, llm, input, output, cost, started, completed, failed)"
      + " ON CONFLICT (tenant, bucket, run_id, agent_id) DO UPDATE SET events = r.events + excluded.events,"
      + " errors = r.errors + excluded.errors, llm_calls = r.llm_calls + excluded.llm_calls,"
      + " input_tokens = r.input_tokens + excluded.input_tokens,"
      + " output_tokens = r.output_tokens + excluded.output_tokens, cost_usd = r.cost_usd + excluded.cost_usd,"
      + " tasks_started = r.tasks_started + excluded.tasks_started,"
      + " tasks_completed = r.tasks_completed + excluded.tasks_completed,"
      + " tasks_failed = r.tasks_failed + excluded.tasks_failed";
  /** The later-ranking side wins agent and outcome, as {@link RollupDelta.Span#merge} decides. */
  private static final String LATER = "(COALESCE(excluded.ended_ns, -1e30), excluded.failed,"
      + " excluded.agent_id COLLATE \"C\") > (COALESCE(t.ended_ns, -1e30), t.failed, t.agent_id COLLATE \"C\")";
  private static final String UPSERT_SPANS = "INSERT INTO task_spans AS t"
      + " (tenant, run_id, task_id, started_ns, ended_ns, ended_at, agent_id, failed)"
      + " SELECT u.tenant, u.run, u.task, u.s::numeric, u.e::numeric, u.ea::timestamptz, u.agent, u.failed"
      + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bool[])"
      + " AS u(tenant, run, task, s, e, ea, agent, failed)"
      + " ON CONFLICT (tenant, run_id, task_id) DO UPDATE SET"
      + " started_ns = LEAST(t.started_ns, excluded.started_ns), ended_ns = GREATEST(t.ended_ns, excluded.ended_ns),"
      + " ended_at = GREATEST(t.ended_at, excluded.ended_at),"
      + " agent_id = CASE WHEN " + LATER + " THEN excluded.agent_id ELSE t.agent_id END,"
      + " failed = CASE WHEN " + LATER + " THEN excluded.failed ELSE t.failed END";

  private final PostgresDatabase db;

  public PostgresRollups(PostgresDatabase db) {
    this.db = db;
  }

  /** Adds what {@code delta} holds, inside the caller's transaction. */
  static void apply(Connection c, RollupDelta delta) throws SQLException {
    if (delta.isEmpty()) {
      return;
    }
    for (Bucket bucket : Bucket.values()) {
      List<Map.Entry<RollupDelta.Key, RollupDelta.Counts>> rows = delta.counts().entrySet().stream()
          .filter(e -> e.getKey().bucket() == bucket).toList();
      int n = rows.size();
      String[] tenant = new String[n];
      String[] start = new String[n];
      String[] run = new String[n];
      String[] agent = new String[n];
      Long[][] counters = new Long[8][n];
      Double[] cost = new Double[n];
      for (int i = 0; i < n; i++) {
        RollupDelta.Key k = rows.get(i).getKey();
        RollupDelta.Counts v = rows.get(i).getValue();
        tenant[i] = k.tenant();
        start[i] = Sql.timestamp(k.start());
        run[i] = Sql.text(k.runId());
        agent[i] = Sql.text(k.agentId());
        counters[0][i] = v.events;
        counters[1][i] = v.errors;
        counters[2][i] = v.llmCalls;
        counters[3][i] = v.inputTokens;
        counters[4][i] = v.outputTokens;
        counters[5][i] = v.tasksStarted;
        counters[6][i] = v.tasksCompleted;
        counters[7][i] = v.tasksFailed;
        cost[i] = v.costUsd;
      }
      try (PreparedStatement ps = c.prepareStatement(UPSERT.formatted(table(bucket)))) {
        ps.setArray(1, c.createArrayOf("text", tenant));
        ps.setArray(2, c.createArrayOf("text", start));
        ps.setArray(3, c.createArrayOf("text", run));
        ps.setArray(4, c.createArrayOf("text", agent));
        for (int j = 0; j < 5; j++) {
          ps.setArray(5 + j, c.createArrayOf("int8", counters[j]));
        }
        ps.setArray(10, c.createArrayOf("float8", cost));
        for (int j = 5; j < 8; j++) {
          ps.setArray(6 + j, c.createArrayOf("int8", counters[j]));
        }
        ps.executeUpdate();
      }
    }
    applySpans(c, delta.spans());
  }

  private static void applySpans(Connection c, Map<RollupDelta.TaskKey, RollupDelta.Span> spans) throws SQLException {
    if (spans.isEmpty()) {
      return;
    }
    int n = spans.size();
    String[][] text = new String[7][n];
    Boolean[] failed = new Boolean[n];
    int i = 0;
    for (Map.Entry<RollupDelta.TaskKey, RollupDelta.Span> e : spans.entrySet()) {
      RollupDelta.Span s = e.getValue();
      text[0][i] = e.getKey().tenant();
      text[1][i] = Sql.text(e.getKey().runId());
      text[2][i] = Sql.text(e.getKey().taskId());
      text[3][i] = s.startedAt() == null ? null : Sql.epochNanos(s.startedAt());
      text[4][i] = s.endedAt() == null ? null : Sql.epochNanos(s.endedAt());
      text[5][i] = s.endedAt() == null ? null : Sql.timestamp(s.endedAt());
      text[6][i] = Sql.text(s.agentId());
      failed[i] = s.failed();
      i++;
    }
    try (PreparedStatement ps = c.prepareStatement(UPSERT_SPANS)) {
      for (int j = 0; j < 7; j++) {
        ps.setArray(j + 1, c.createArrayOf("text", text[j]));
      }
      ps.setArray(8, c.createArrayOf("bool", failed));
      ps.executeUpdate();
    }
  }

  private static String table(Bucket bucket) {
    return bucket == Bucket.MINUTE ? "rollup_minute" : "rollup_hour";
  }

  @Override
  public void add(String tenant, List<Event> events) {
    RollupDelta delta = new RollupDelta();
    events.forEach(e -> delta.add(tenant, e));
    try {
      db.inTransaction(c -> {
        apply(c, delta);
        return null;
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("add " + events.size() + " events to the rollups", e);
    }
  }

  @Override
  public List<RollupPoint> query(String tenant, RollupQuery q) {
    StringBuilder narrow = new StringBuilder();
    List<String> narrowParams = new ArrayList<>();
    if (q.runId() != null) {
      narrow.append(" AND run_id = ?");
      narrowParams.add(Sql.text(q.runId()));
    }
    if (q.agentId() != null) {
      narrow.append(" AND agent_id = ?");
      narrowParams.add(Sql.text(q.agentId()));
    }
    String counts = "SELECT bucket, sum(events), sum(errors), sum(llm_calls), sum(input_tokens), sum(output_tokens),"
        + " sum(cost_usd), sum(tasks_started), sum(tasks_completed), sum(tasks_failed) FROM " + table(q.bucket())
        + " WHERE tenant = ? AND bucket >= ?::timestamptz AND bucket < ?::timestamptz" + narrow
        + " GROUP BY bucket ORDER BY bucket";
    String unit = q.bucket() == Bucket.MINUTE ? "minute" : "hour";
    String percentiles = "SELECT b, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY d),"
        + " percentile_cont(0.95) WITHIN GROUP (ORDER BY d) FROM (SELECT date_trunc('" + unit + "', ended_at, 'UTC') AS b,"
        + " ((ended_ns - started_ns) / 1000000)::float8 AS d FROM task_spans"
        + " WHERE tenant = ? AND ended_at >= ?::timestamptz AND ended_at < ?::timestamptz"
        + " AND started_ns IS NOT NULL AND ended_ns >= started_ns" + narrow + ") AS s"
        + " WHERE b >= ?::timestamptz AND b < ?::timestamptz GROUP BY b";
    try {
      return db.read(c -> {
        Map<Instant, Timed> byBucket = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(percentiles)) {
          int i = 1;
          ps.setString(i++, tenant);
          ps.setString(i++, Sql.timestamp(q.bucket().start(q.from())));
          ps.setString(i++, Sql.timestamp(q.bucket().start(q.to()).plus(q.bucket().width())));
          for (String p : narrowParams) {
            ps.setString(i++, p);
          }
          ps.setString(i++, Sql.timestamp(q.from()));
          ps.setString(i, Sql.timestamp(q.to()));
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              byBucket.put(rs.getObject(1, OffsetDateTime.class).toInstant(),
                  new Timed(rs.getLong(2), rs.getDouble(3), rs.getDouble(4)));
            }
          }
        }
        List<RollupPoint> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(counts)) {
          int i = 1;
          ps.setString(i++, tenant);
          ps.setString(i++, Sql.timestamp(q.from()));
          ps.setString(i++, Sql.timestamp(q.to()));
          for (String p : narrowParams) {
            ps.setString(i++, p);
          }
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Instant start = rs.getObject(1, OffsetDateTime.class).toInstant();
              Timed timed = byBucket.getOrDefault(start, Timed.NONE);
              out.add(new RollupPoint(start, rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                  rs.getLong(6), rs.getDouble(7), rs.getLong(8), rs.getLong(9), rs.getLong(10), timed.tasks(),
                  timed.p50(), timed.p95()));
            }
          }
        }
        return out;
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("query the rollups of tenant " + tenant, e);
    }
  }

  /** The tasks that ended in one bucket with a known start, and their duration percentiles. */
  private record Timed(long tasks, Double p50, Double p95) {
    static final Timed NONE = new Timed(0, null, null);
  }

  /**
   * The store's head: every event it covers is counted in the rollups, since the log (or, with
   * Kafka, {@link PostgresEventSink}) moves the head in the transaction that adds the event's
   * counts. Read it before {@link #query} to say how current an answer is at least.
   */
  public Cursor head() {
    try {
      return db.read(c -> EventSelect.head(c, db.storeId(), db.logPartitions()));
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("read the head of the rollups", e);
    }
  }

  @Override
  public void check() {
    db.check();
  }
}
