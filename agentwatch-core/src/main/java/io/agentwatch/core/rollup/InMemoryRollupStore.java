package io.agentwatch.core.rollup;

import io.agentwatch.model.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@link RollupStore} in memory, for tests and the embedded deployment. */
public final class InMemoryRollupStore implements RollupStore {

  private final Map<RollupDelta.Key, RollupDelta.Counts> counts = new HashMap<>();
  private final Map<RollupDelta.TaskKey, RollupDelta.Span> spans = new HashMap<>();

  @Override
  public synchronized void add(String tenant, List<Event> events) {
    RollupDelta delta = new RollupDelta();
    events.forEach(e -> delta.add(tenant, e));
    delta.counts().forEach((k, c) -> counts.computeIfAbsent(k, x -> new RollupDelta.Counts()).add(c));
    delta.spans().forEach((k, s) -> spans.merge(k, s, RollupDelta.Span::merge));
  }

  @Override
  public synchronized List<RollupPoint> query(String tenant, RollupQuery q) {
    TreeMap<Instant, RollupDelta.Counts> byStart = new TreeMap<>();
    counts.forEach((k, c) -> {
      if (k.tenant().equals(tenant) && k.bucket() == q.bucket() && inRange(k.start(), q)
          && (q.runId() == null || q.runId().equals(k.runId()))
          && (q.agentId() == null || q.agentId().equals(k.agentId()))) {
        byStart.computeIfAbsent(k.start(), x -> new RollupDelta.Counts()).add(c);
      }
    });
    Map<Instant, List<Double>> durations = new HashMap<>();
    spans.forEach((k, s) -> {
      Double ms = s.durationMs();
      if (ms != null && k.tenant().equals(tenant) && (q.runId() == null || q.runId().equals(k.runId()))
          && (q.agentId() == null || q.agentId().equals(s.agentId()))) {
        Instant start = q.bucket().start(s.endedAt());
        if (inRange(start, q)) {
          durations.computeIfAbsent(start, x -> new ArrayList<>()).add(ms);
        }
      }
    });
    List<RollupPoint> out = new ArrayList<>(byStart.size());
    byStart.forEach((start, c) -> {
      List<Double> d = durations.getOrDefault(start, List.of());
      out.add(new RollupPoint(start, c.events, c.errors, c.inputTokens, c.outputTokens, c.costUsd, c.tasksStarted,
          c.tasksCompleted, c.tasksFailed, RollupDelta.percentileCont(d, 0.5), RollupDelta.percentileCont(d, 0.95)));
    });
    return out;
  }

  private static boolean inRange(Instant start, RollupQuery q) {
    return !start.isBefore(q.from()) && start.isBefore(q.to());
  }

  @Override
  public void check() {
    // Always available.
  }
}
