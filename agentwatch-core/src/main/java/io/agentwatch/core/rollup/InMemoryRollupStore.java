package io.agentwatch.core.rollup;

import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link RollupStore} in memory, for tests and the embedded deployment (where the analytics
 * follower feeds it every event of the log, replaying the log at each start).
 *
 * <p>Optionally bounded per run, in event time: a run's minute buckets more than
 * {@code keepMinutes} before its newest minute bucket are dropped, and its hour buckets and task
 * spans more than {@code keepHours} before its newest hour bucket. Measuring back from each run's
 * own newest bucket keeps an old run (an uploaded session, say) whole, and limits what an event
 * stamped far in the future can drop to its own run.
 */
public final class InMemoryRollupStore implements RollupStore {

  /** One run's buckets (by width, start and agent) and task spans (by task id). */
  private static final class Run {
    final Map<Bucket, TreeMap<Instant, Map<String, RollupDelta.Counts>>> buckets = new EnumMap<>(Bucket.class);
    final Map<String, RollupDelta.Span> spans = new HashMap<>();

    Run() {
      for (Bucket b : Bucket.values()) {
        buckets.put(b, new TreeMap<>());
      }
    }
  }

  private record RunKey(String tenant, String runId) {}

  /** Runs by tenant, then by run id ({@code ""}: events without a run). */
  private final Map<String, Map<String, Run>> tenants = new HashMap<>();
  private final Duration keepMinutes;
  private final Duration keepHours;

  /** Keeps everything. */
  public InMemoryRollupStore() {
    this.keepMinutes = null;
    this.keepHours = null;
  }

  /** Keeps each run's last {@code keepMinutes} of minute buckets and {@code keepHours} of hour buckets. */
  public InMemoryRollupStore(Duration keepMinutes, Duration keepHours) {
    if (keepMinutes == null || keepMinutes.compareTo(Bucket.MINUTE.width()) < 0) {
      throw new IllegalArgumentException("keepMinutes must be at least 1m but was " + keepMinutes);
    }
    if (keepHours == null || keepHours.compareTo(Bucket.HOUR.width()) < 0) {
      throw new IllegalArgumentException("keepHours must be at least 1h but was " + keepHours);
    }
    this.keepMinutes = keepMinutes;
    this.keepHours = keepHours;
  }

  /** Forgets everything, for a feeder that starts over from the log's beginning. */
  public synchronized void clear() {
    tenants.clear();
  }

  @Override
  public synchronized void add(String tenant, List<Event> events) {
    RollupDelta delta = new RollupDelta();
    events.forEach(e -> delta.add(tenant, e));
    Set<Run> touched = new LinkedHashSet<>();
    delta.counts().forEach((k, c) -> {
      Run run = run(new RunKey(k.tenant(), k.runId()));
      run.buckets.get(k.bucket()).computeIfAbsent(k.start(), s -> new HashMap<>())
          .computeIfAbsent(k.agentId(), a -> new RollupDelta.Counts()).add(c);
      touched.add(run);
    });
    delta.spans().forEach((k, s) -> run(new RunKey(k.tenant(), k.runId())).spans.merge(k.taskId(), s,
        RollupDelta.Span::merge));
    if (keepMinutes != null) {
      touched.forEach(this::prune);
    }
  }

  private Run run(RunKey key) {
    return tenants.computeIfAbsent(key.tenant(), t -> new HashMap<>()).computeIfAbsent(key.runId(), r -> new Run());
  }

  private void prune(Run run) {
    TreeMap<Instant, ?> minutes = run.buckets.get(Bucket.MINUTE);
    minutes.headMap(minutes.lastKey().minus(keepMinutes)).clear();
    TreeMap<Instant, ?> hours = run.buckets.get(Bucket.HOUR);
    Instant oldestHour = hours.lastKey().minus(keepHours);
    hours.headMap(oldestHour).clear();
    run.spans.values().removeIf(s -> (s.endedAt() != null ? s.endedAt() : s.startedAt()).isBefore(oldestHour));
  }

  @Override
  public synchronized List<RollupPoint> query(String tenant, RollupQuery q) {
    Map<String, Run> runs = tenants.getOrDefault(tenant, Map.of());
    Collection<Run> wanted = q.runId() == null ? runs.values()
        : runs.containsKey(q.runId()) ? List.of(runs.get(q.runId())) : List.of();
    TreeMap<Instant, RollupDelta.Counts> byStart = new TreeMap<>();
    Map<Instant, List<Double>> durations = new HashMap<>();
    for (Run run : wanted) {
      run.buckets.get(q.bucket()).subMap(q.from(), true, q.to(), false).forEach((start, agents) ->
          agents.forEach((agent, c) -> {
            if (q.agentId() == null || q.agentId().equals(agent)) {
              byStart.computeIfAbsent(start, x -> new RollupDelta.Counts()).add(c);
            }
          }));
      for (RollupDelta.Span s : run.spans.values()) {
        Double ms = s.durationMs();
        if (ms != null && (q.agentId() == null || q.agentId().equals(s.agentId()))) {
          Instant start = q.bucket().start(s.endedAt());
          if (!start.isBefore(q.from()) && start.isBefore(q.to())) {
            durations.computeIfAbsent(start, x -> new ArrayList<>()).add(ms);
          }
        }
      }
    }
    List<RollupPoint> out = new ArrayList<>(byStart.size());
    byStart.forEach((start, c) -> {
      List<Double> d = durations.getOrDefault(start, List.of());
      out.add(new RollupPoint(start, c.events, c.errors, c.llmCalls, c.inputTokens, c.outputTokens, c.costUsd,
          c.tasksStarted, c.tasksCompleted, c.tasksFailed, d.size(), RollupDelta.percentileCont(d, 0.5),
          RollupDelta.percentileCont(d, 0.95)));
    });
    return out;
  }

  @Override
  public void check() {
    // Always available.
  }
}
