package io.agentwatch.bench;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.state.InMemoryProjectionStore;
import io.agentwatch.core.state.Projection;
import io.agentwatch.core.state.TimeTravel;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqliteEventLog;
import io.agentwatch.storage.sqlite.SqliteEventStore;
import io.agentwatch.storage.sqlite.SqliteProjectionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.node.ObjectNode;

/**
 * The projection benchmark of the state issue, in process: how fast events are folded into
 * projections, beside how fast the same events are appended durably to the SQLite log in the
 * same run; and how long {@code state?at} takes on one run of a million events, the first query
 * (which makes the snapshots) and then random instants.
 *
 * <pre>java -cp agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/* \
 *     io.agentwatch.bench.ProjectionBench [events]</pre>
 */
public final class ProjectionBench {

  private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    List<Event> run = run(events, new Random(42));

    Projection warm = new Projection();
    run.subList(0, Math.min(events, 200_000)).forEach(warm::apply);
    long started = System.nanoTime();
    Projection projection = new Projection();
    run.forEach(projection::apply);
    double foldRate = events / seconds(started);

    Path dir = Files.createTempDirectory("agentwatch-projection-bench");
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteEventLog log = SqliteEventLog.open(db);
      started = System.nanoTime();
      List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
      for (int i = 0; i < events; i += 5_000) {
        pending.add(log.append("bench", run.subList(i, Math.min(events, i + 5_000))));
        if (pending.size() == 8) {
          pending.removeFirst().join();
        }
      }
      pending.forEach(CompletableFuture::join);
      double appendRate = events / seconds(started);

      TimeTravel travel = new TimeTravel(new SqliteEventStore(db), new SqliteProjectionStore(db), 1000);
      Instant end = run.getLast().ts();
      started = System.nanoTime();
      travel.stateAt("bench", "big-run", end);
      double firstMs = seconds(started) * 1000;
      Random random = new Random(7);
      Histogram latency = new Histogram(3);
      for (int i = 0; i < 200; i++) {
        Instant at = T0.plusMillis((long) (random.nextDouble() * (end.toEpochMilli() - T0.toEpochMilli())));
        long t = System.nanoTime();
        travel.stateAt("bench", "big-run", at);
        latency.recordValue(Math.max(1, (System.nanoTime() - t) / 1000));
      }
      log.close();
      System.out.printf(Locale.ROOT, """
          | metric | value |
          |---|---|
          | projection fold, in memory (events/s) | %,.0f |
          | durable append of the same events to the SQLite log, 5,000 per call (events/s) | %,.0f |
          | fold ÷ append | %.1f× |
          | state?at, first query on the %,d-event run (makes the snapshots) (ms) | %,.0f |
          | state?at, 200 random instants afterwards, p50 / p99 / max (ms) | %.1f / %.1f / %.1f |
          """, foldRate, appendRate, foldRate / appendRate, events, firstMs,
          latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
          latency.getMaxValue() / 1000.0);
    }
  }

  /** One long run: a manager and 20 workers working through tasks, with tool and model calls. */
  private static List<Event> run(int count, Random random) {
    List<Event> events = new ArrayList<>(count);
    int task = 0;
    while (events.size() < count) {
      String worker = "worker-" + random.nextInt(20);
      String taskId = "t" + (task++ % 5_000);
      add(events, "manager", "task.created", "taskId", taskId);
      add(events, "manager", "task.assigned", "taskId", taskId, "assignee", worker);
      add(events, worker, "task.started", "taskId", taskId);
      add(events, worker, "tool.called", "tool", "search");
      add(events, worker, "llm.call", "model", "m", "inputTokens", 900, "outputTokens", 120, "costUsd", 0.002);
      add(events, worker, "task.progress", "taskId", taskId, "percent", 50);
      add(events, worker, "agent.heartbeat", "cpu", 40.5);
      add(events, worker, random.nextInt(10) == 0 ? "task.failed" : "task.completed", "taskId", taskId, "error", "x");
    }
    return events.subList(0, count);
  }

  private static void add(List<Event> events, String agent, String type, Object... fields) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < fields.length; i += 2) {
      data.set((String) fields[i], EventCodec.JSON.valueToTree(fields[i + 1]));
    }
    int n = events.size();
    events.add(new Event("e" + n, type, agent, "big-run", T0.plusMillis(n * 10L), null, null, data));
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
