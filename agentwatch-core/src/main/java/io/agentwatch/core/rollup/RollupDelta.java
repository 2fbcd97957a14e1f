package io.agentwatch.core.rollup;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventValidator;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * What a batch of events adds to the rollups, worked out once so every {@link RollupStore}
 * adapter counts alike: per (tenant, run, agent, bucket) the counters of {@link RollupPoint}, and
 * per (tenant, run, task) the span from its first start to its last ending. A run id of
 * {@code ""} stands for events without a run.
 *
 * <p>Spans merge commutatively ({@link Span#merge}), so a task's duration does not depend on the
 * order in which its events arrive or are folded. Not thread-safe.
 */
public final class RollupDelta {

  /** One row of counters: a (tenant, run, agent) in one bucket. */
  public record Key(String tenant, String runId, String agentId, Bucket bucket, Instant start) {}

  /** Counters of one {@link Key}. */
  public static final class Counts {
    public long events;
    public long errors;
    public long llmCalls;
    public long inputTokens;
    public long outputTokens;
    public double costUsd;
    public long tasksStarted;
    public long tasksCompleted;
    public long tasksFailed;

    public void add(Counts o) {
      events += o.events;
      errors += o.errors;
      llmCalls += o.llmCalls;
      inputTokens += o.inputTokens;
      outputTokens += o.outputTokens;
      costUsd += o.costUsd;
      tasksStarted += o.tasksStarted;
      tasksCompleted += o.tasksCompleted;
      tasksFailed += o.tasksFailed;
    }
  }

  /** Which task a span is of. */
  public record TaskKey(String tenant, String runId, String taskId) {}

  /**
   * A task's first start and last ending (either may be null while unknown). {@code agentId} and
   * {@code failed} come from the event that ranks last by (ending time, no ending first; failed
   * after not failed; agent id in code point order), so they describe how the task ended.
   */
  public record Span(Instant startedAt, Instant endedAt, String agentId, boolean failed) {

    /** Both spans' knowledge together; the same whatever the order. */
    public Span merge(Span o) {
      Instant started = startedAt == null ? o.startedAt
          : o.startedAt == null || startedAt.isBefore(o.startedAt) ? startedAt : o.startedAt;
      Instant ended = endedAt == null ? o.endedAt
          : o.endedAt == null || endedAt.isAfter(o.endedAt) ? endedAt : o.endedAt;
      Span last = rank(o) > 0 ? o : this;
      return new Span(started, ended, last.agentId, last.failed);
    }

    private int rank(Span o) {
      if (!Objects.equals(endedAt, o.endedAt)) {
        return endedAt == null ? 1 : o.endedAt == null ? -1 : o.endedAt.compareTo(endedAt);
      }
      if (failed != o.failed) {
        return o.failed ? 1 : -1;
      }
      return Integer.signum(compareCodePoints(o.agentId, agentId));
    }

    /** The duration in milliseconds when both ends are known and in order, else null. */
    public Double durationMs() {
      if (startedAt == null || endedAt == null || endedAt.isBefore(startedAt)) {
        return null;
      }
      long nanos = (endedAt.getEpochSecond() - startedAt.getEpochSecond()) * 1_000_000_000L
          + (endedAt.getNano() - startedAt.getNano());
      return nanos / 1e6;
    }
  }

  private final Map<Key, Counts> counts = new LinkedHashMap<>();
  private final Map<TaskKey, Span> spans = new LinkedHashMap<>();

  /**
   * Adds one event of {@code tenant}; events the server writes itself ({@code alert.*},
   * {@code command.issued}, {@code agent.edited}, {@code run.edited}) describe no agent's activity
   * and add nothing.
   */
  public void add(String tenant, Event e) {
    Objects.requireNonNull(tenant, "tenant");
    if (EventValidator.writtenByServer(e.type())) {
      return;
    }
    String run = e.runId() == null ? "" : e.runId();
    Counts minute = counts.computeIfAbsent(
        new Key(tenant, run, e.agentId(), Bucket.MINUTE, Bucket.MINUTE.start(e.ts())), k -> new Counts());
    Counts hour = counts.computeIfAbsent(
        new Key(tenant, run, e.agentId(), Bucket.HOUR, Bucket.HOUR.start(e.ts())), k -> new Counts());
    Counts one = countsOf(e);
    minute.add(one);
    hour.add(one);
    String taskId = e.type().startsWith("task.") ? text(e.data().get("taskId")) : null;
    if (taskId != null) {
      Span span = switch (e.type()) {
        case "task.started" -> new Span(e.ts(), null, e.agentId(), false);
        case "task.completed" -> new Span(null, e.ts(), e.agentId(), false);
        case "task.failed" -> new Span(null, e.ts(), e.agentId(), true);
        default -> null;
      };
      if (span != null) {
        spans.merge(new TaskKey(tenant, run, taskId), span, Span::merge);
      }
    }
  }

  private static Counts countsOf(Event e) {
    Counts c = new Counts();
    c.events = 1;
    JsonNode data = e.data();
    switch (e.type()) {
      case "error.occurred" -> c.errors = 1;
      case "task.started" -> c.tasksStarted = 1;
      case "task.completed" -> c.tasksCompleted = 1;
      case "task.failed" -> {
        c.tasksFailed = 1;
        c.errors = 1;
      }
      case "tool.result" -> {
        JsonNode error = data.get("error");
        c.errors = error != null && !error.isNull() ? 1 : 0;
      }
      case "log" -> {
        String level = text(data.get("level"));
        c.errors = "error".equalsIgnoreCase(level) || "fatal".equalsIgnoreCase(level) ? 1 : 0;
      }
      case "llm.call" -> {
        c.llmCalls = 1;
        c.inputTokens = whole(data.get("inputTokens"));
        c.outputTokens = whole(data.get("outputTokens"));
        JsonNode cost = data.get("costUsd");
        c.costUsd = cost != null && cost.isNumber() ? cost.asDouble() : 0;
      }
      default -> { }
    }
    return c;
  }

  private static long whole(JsonNode n) {
    return n != null && n.isNumber() ? n.asLong() : 0;
  }

  private static String text(JsonNode n) {
    return n != null && n.isString() ? n.stringValue() : null;
  }

  /** Compares as PostgreSQL's {@code COLLATE "C"} does on UTF-8: by code point. */
  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  public Map<Key, Counts> counts() {
    return counts;
  }

  public Map<TaskKey, Span> spans() {
    return spans;
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  /**
   * {@code percentile_cont} as PostgreSQL computes it: the value at position {@code p * (n - 1)}
   * of the sorted values, interpolated linearly; null for no values.
   */
  public static Double percentileCont(Collection<Double> values, double p) {
    if (values.isEmpty()) {
      return null;
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double position = p * (sorted.length - 1);
    int lower = (int) Math.floor(position);
    int upper = (int) Math.ceil(position);
    return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
  }
}
