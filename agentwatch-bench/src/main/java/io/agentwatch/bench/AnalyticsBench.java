package io.agentwatch.bench;

import io.agentwatch.analytics.AnalyticsConfig;
import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.InMemoryPositionStore;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqliteEventLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.node.ObjectNode;

/**
 * The analytics benchmark, in process, on one machine:
 * <ol>
 *   <li>events/s through the whole engine (graphs, all seven detectors) for traffic of
 *       1,000 agents (10 runs of a manager and 99 workers), in memory;</li>
 *   <li>the durable append rate of the same events to a fresh SQLite log in the same run, the
 *       baseline the analytics must keep up with;</li>
 *   <li>alert latency: from a triggering event being durable in the SQLite log to its
 *       {@code alert.raised} being durable, with the analytics follower running live while
 *       background traffic flows at a steady rate.</li>
 * </ol>
 *
 * <pre>java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*' \
 *     io.agentwatch.bench.AnalyticsBench [events] [live events/s] [live seconds]</pre>
 */
public final class AnalyticsBench {

  private static final Instant T0 = Instant.parse("2026-11-28T00:00:00Z");
  private static final int RUNS = 10;
  private static final int WORKERS_PER_RUN = 99;

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int liveRate = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int liveSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    List<Event> traffic = new Traffic(new Random(42), "bench").take(events);

    AnalyticsEngine warm = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
    traffic.subList(0, Math.min(events, 200_000)).forEach(e -> warm.apply("bench", e, e.ts()));
    AnalyticsEngine engine = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
    long alerts = 0;
    long started = System.nanoTime();
    for (Event e : traffic) {
      alerts += engine.apply("bench", e, e.ts()).size();
    }
    double engineRate = events / seconds(started);
    Duration eventTime = Duration.between(traffic.getFirst().ts(), traffic.getLast().ts());

    Path dir = Files.createTempDirectory("agentwatch-analytics-bench");
    double appendRate;
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("append"))) {
      SqliteEventLog log = SqliteEventLog.open(db);
      started = System.nanoTime();
      List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
      for (int i = 0; i < events; i += 5_000) {
        pending.add(log.append("bench", traffic.subList(i, Math.min(events, i + 5_000))));
        if (pending.size() == 8) {
          pending.removeFirst().join();
        }
      }
      pending.forEach(CompletableFuture::join);
      appendRate = events / seconds(started);
      log.close();
    }

    Live live;
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("live"))) {
      live = live(db, liveRate, liveSeconds);
    }
    System.out.printf(Locale.ROOT, """
        | metric | value |
        |---|---|
        | traffic | %,d events of 1,000 agents (%d runs × 1 manager + %d workers), %s of event time |
        | analytics engine, all detectors + graphs, in memory (events/s) | %,.0f |
        | alerts raised and resolved by that traffic | %,d |
        | durable append of the same events to the SQLite log, 5,000 per call (events/s) | %,.0f |
        | engine ÷ append | %.1f× |
        | live: background traffic through log + follower (events/s offered / appended) | %,d / %,.0f |
        | live: alert latency, trigger durable → alert.raised durable, p50 / p99 / max (ms), %d probes | %.1f / %.1f / %.1f |
        """, events, RUNS, WORKERS_PER_RUN, eventTime, engineRate, alerts, appendRate, engineRate / appendRate,
        liveRate, live.rate, live.latency.getTotalCount(), live.latency.getValueAtPercentile(50) / 1000.0,
        live.latency.getValueAtPercentile(99) / 1000.0, live.latency.getMaxValue() / 1000.0);
  }

  private record Live(double rate, Histogram latency) {}

  /**
   * Feeds background traffic to a SQLite log at {@code rate} events/s with the follower running,
   * and every 100 ms a probe: a task completed by an agent it was not assigned to, which raises
   * {@code inconsistent_agent} at once. Latency is measured between the log's live notifications
   * of the probe and of its alert (whose causal parent is the probe).
   */
  private static Live live(SqliteDatabase db, int rate, int seconds) throws Exception {
    SqliteEventLog log = SqliteEventLog.open(db);
    Map<String, Long> probeDurableAt = new ConcurrentHashMap<>();
    Histogram latency = new Histogram(3);
    AutoCloseable tail = log.tail(batch -> {
      long now = System.nanoTime();
      for (StoredEvent s : batch) {
        Event e = s.event();
        if (e.id().startsWith("probe-done-")) {
          probeDurableAt.put(e.id(), now);
        } else if (e.type().equals(AlertEvents.RAISED) && e.parentId() != null) {
          Long at = probeDurableAt.get(e.parentId());
          if (at != null) {
            synchronized (latency) {
              latency.recordValue(Math.max(1, (now - at) / 1000));
            }
          }
        }
      }
    });
    AnalyticsFollower follower = new AnalyticsFollower(log, new InMemoryPositionStore(),
        // Each probe is a cause of its own (its own run), and flood control is set above the probe
        // rate, so that every probe raises an alert of its own to time.
        new AnalyticsEngine(AnalyticsConfig.DEFAULTS.with(new AlertIssuer.Config(Duration.ofSeconds(30), 1_000_000))),
        Clock.systemUTC(), Duration.ZERO).start();
    Traffic traffic = new Traffic(new Random(7), "live");
    AtomicInteger probes = new AtomicInteger();
    int batch = Math.max(1, rate / 100);
    long appended = 0;
    long started = System.nanoTime();
    long next = started;
    List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
    while (System.nanoTime() - started < Duration.ofSeconds(seconds).toNanos()) {
      List<Event> events = new ArrayList<>(traffic.take(batch));
      int p = probes.incrementAndGet();
      Instant ts = events.getLast().ts();
      events.add(Traffic.event("probe-assign-" + p, "task.assigned", "probe-boss", "probe-run-" + p, ts, "taskId",
          "probe-" + p, "assignee", "probe-worker"));
      events.add(Traffic.event("probe-done-" + p, "task.completed", "probe-intruder", "probe-run-" + p, ts, "taskId",
          "probe-" + p, "result", "mine"));
      pending.add(log.append("bench", events));
      appended += events.size();
      pending.removeIf(CompletableFuture::isDone);
      next += 10_000_000L;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
      }
    }
    pending.forEach(CompletableFuture::join);
    double achieved = appended / seconds(started);
    follower.awaitApplied(log.head(), Duration.ofSeconds(60));
    Thread.sleep(200);
    follower.close();
    tail.close();
    log.close();
    return new Live(achieved, latency);
  }

  /**
   * Deterministic traffic of 1,000 agents: in each of 10 runs a manager hands tasks to 99 workers,
   * which start them, call tools and models, report progress, complete them and answer; every
   * agent sends a heartbeat every 30 s of event time. About 2,000 events per second of event time.
   */
  static final class Traffic {
    private final Random random;
    private final String prefix;
    private final String[] task = new String[RUNS * WORKERS_PER_RUN];
    private final String[] assign = new String[RUNS * WORKERS_PER_RUN];
    private final int[] steps = new int[RUNS * WORKERS_PER_RUN];
    private final Instant[] nextHeartbeat = new Instant[RUNS * (WORKERS_PER_RUN + 1)];
    private long seq;
    private long millis;
    private int heartbeatCursor;

    Traffic(Random random, String prefix) {
      this.random = random;
      this.prefix = prefix;
      for (int i = 0; i < nextHeartbeat.length; i++) {
        nextHeartbeat[i] = T0.plusMillis(random.nextInt(30_000));
      }
    }

    List<Event> take(int count) {
      List<Event> out = new ArrayList<>(count);
      while (out.size() < count) {
        millis += random.nextInt(2);
        Instant ts = T0.plusMillis(millis);
        heartbeat(out, ts);
        int w = random.nextInt(task.length);
        int run = w / WORKERS_PER_RUN;
        String runId = prefix + "-run-" + run;
        String worker = prefix + "-w" + w;
        String manager = prefix + "-m" + run;
        if (task[w] == null) {
          task[w] = prefix + "-t" + seq;
          out.add(event(id(), "task.created", manager, runId, ts, "taskId", task[w], "title", "work"));
          assign[w] = id();
          out.add(event(assign[w], "task.assigned", manager, runId, ts, "taskId", task[w], "assignee", worker));
          out.add(event(id(), "task.started", worker, runId, ts, "taskId", task[w]));
          steps[w] = 2 + random.nextInt(4);
        } else if (steps[w] > 0) {
          steps[w]--;
          if (random.nextBoolean()) {
            out.add(event(id(), "llm.call", worker, runId, ts, "model", "m", "inputTokens", 900 + random.nextInt(200),
                "outputTokens", 100 + random.nextInt(50), "costUsd", 0.002, "latencyMs", 700 + random.nextInt(300)));
          } else {
            out.add(event(id(), "tool.called", worker, runId, ts, "tool", "search"));
            out.add(event(id(), "tool.result", worker, runId, ts, "tool", "search", "durationMs", 250));
          }
          out.add(event(id(), "task.progress", worker, runId, ts, "taskId", task[w], "percent", 50));
        } else {
          out.add(event(id(), "task.completed", worker, runId, ts, "taskId", task[w], "result", "ok"));
          Event reply = event(id(), "message.sent", worker, runId, ts, "to", manager, "content", "done");
          out.add(new Event(reply.id(), reply.type(), reply.agentId(), reply.runId(), ts, assign[w], null,
              reply.data()));
          task[w] = null;
        }
      }
      return out.subList(0, count);
    }

    private void heartbeat(List<Event> out, Instant ts) {
      for (int k = 0; k < 4; k++) {
        int a = heartbeatCursor++ % nextHeartbeat.length;
        if (!ts.isBefore(nextHeartbeat[a])) {
          int run = a / (WORKERS_PER_RUN + 1);
          int local = a % (WORKERS_PER_RUN + 1);
          String agent = local == WORKERS_PER_RUN ? prefix + "-m" + run : prefix + "-w" + (run * WORKERS_PER_RUN + local);
          out.add(event(id(), "agent.heartbeat", agent, prefix + "-run-" + run, ts, "cpu", 20));
          nextHeartbeat[a] = ts.plusSeconds(30);
        }
      }
    }

    private String id() {
      return prefix + "-" + (seq++);
    }

    static Event event(String id, String type, String agent, String runId, Instant ts, Object... fields) {
      ObjectNode data = EventCodec.JSON.createObjectNode();
      for (int i = 0; i < fields.length; i += 2) {
        data.set((String) fields[i], EventCodec.JSON.valueToTree(fields[i + 1]));
      }
      return new Event(id, type, agent, runId, ts, null, null, data);
    }
  }

  private static double seconds(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
