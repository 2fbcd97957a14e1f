package io.agentwatch.analytics.rollup;

import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Per-agent, per-run, per-(run, agent) and tenant-wide totals in event-time buckets of one minute
 * and one hour: events, errors, task durations (for p50/p95), tokens and cost. A bucket exists
 * only once an event fell into it; buckets older than the retention (measured back from the
 * latest event time of their series) are dropped. Not thread-safe.
 */
public final class Rollups {

  /** The bucket sizes the API offers. */
  public enum Size {
    MINUTE("1m", Duration.ofMinutes(1)), HOUR("1h", Duration.ofHours(1));

    final String label;
    final Duration length;

    Size(String label, Duration length) {
      this.label = label;
      this.length = length;
    }

    public String label() {
      return label;
    }

    public Duration length() {
      return length;
    }

    /** The size written {@code label} ({@code 1m} or {@code 1h}), or null. */
    public static Size of(String label) {
      for (Size s : values()) {
        if (s.label.equals(label)) {
          return s;
        }
      }
      return null;
    }
  }

  /** How long buckets are kept, per size. */
  public record Config(Duration keepMinutes, Duration keepHours) {

    public static final Config DEFAULTS = new Config(Duration.ofHours(6), Duration.ofDays(7));

    public Config {
      if (keepMinutes == null || keepMinutes.compareTo(Duration.ofMinutes(1)) < 0) {
        throw new IllegalArgumentException("rollups.keepMinutes must be at least 1m but was " + keepMinutes);
      }
      if (keepHours == null || keepHours.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException("rollups.keepHours must be at least 1h but was " + keepHours);
      }
    }

    Duration keep(Size size) {
      return size == Size.MINUTE ? keepMinutes : keepHours;
    }
  }

  /** Which series: a run and/or an agent; null means "all". */
  public record Series(String runId, String agentId, Size size) {}

  private static final class Bucket {
    long events;
    long errors;
    long llmCalls;
    long inputTokens;
    long outputTokens;
    double costUsd;
    long[] durations = new long[0];
    int durationCount;

    void add(Counts c, long duration) {
      events++;
      if (c.error()) {
        errors++;
      }
      if (c.llm()) {
        llmCalls++;
        inputTokens += c.inputTokens();
        outputTokens += c.outputTokens();
        costUsd += c.costUsd();
      }
      if (duration >= 0) {
        addDuration(duration);
      }
    }

    void addDuration(long ms) {
      if (durationCount == durations.length) {
        durations = Arrays.copyOf(durations, Math.max(4, durationCount * 2));
      }
      durations[durationCount++] = ms;
    }
  }

  private final Config config;
  /** One series' buckets by start, and its newest bucket at hand. */
  private static final class Timeline {
    final NavigableMap<Instant, Bucket> buckets = new TreeMap<>();
    Instant latestStart;
    Bucket latest;
  }

  private record Scope(String runId, String agentId) {}

  private final Map<Scope, Timeline[]> scopes = new HashMap<>();

  public Rollups(Config config) {
    this.config = config;
  }

  /**
   * Counts {@code e}; {@code task} is what the event did to its task (a completion or failure of a
   * started task adds its duration to the bucket of the event), or null.
   */
  public void apply(Event e, TaskTracker.Change task) {
    long duration = -1;
    if (task != null && task.after().state().terminal() && task.before() != null
        && !task.before().state().terminal() && task.before().startedAt() != null) {
      duration = Math.max(0, Duration.between(task.before().startedAt(), e.ts()).toMillis());
    }
    // A task's duration belongs to the agent that ran it, whoever reported the end.
    String runner = task != null && task.before() != null && task.before().assignee() != null
        ? task.before().assignee() : e.agentId();
    long own = e.agentId().equals(runner) ? duration : -1;
    Counts counts = new Counts(e);
    Timeline[] tenant = timelines(null, null);
    Timeline[] agent = timelines(null, e.agentId());
    Timeline[] run = e.runId() == null ? null : timelines(e.runId(), null);
    Timeline[] runAgent = e.runId() == null ? null : timelines(e.runId(), e.agentId());
    boolean runnerElsewhere = duration >= 0 && own < 0;
    for (Size size : Size.values()) {
      int i = size.ordinal();
      Instant start = startOf(e.ts(), size);
      bucket(tenant[i], size, start).add(counts, duration);
      bucket(agent[i], size, start).add(counts, own);
      if (run != null) {
        bucket(run[i], size, start).add(counts, duration);
        bucket(runAgent[i], size, start).add(counts, own);
      }
      if (runnerElsewhere) {
        bucket(timelines(null, runner)[i], size, start).addDuration(duration);
        if (e.runId() != null) {
          bucket(timelines(e.runId(), runner)[i], size, start).addDuration(duration);
        }
      }
    }
  }

  /** The minute and hour timelines of a run and/or agent (null: all), made on first use. */
  private Timeline[] timelines(String runId, String agentId) {
    Scope key = new Scope(runId, agentId);
    Timeline[] t = scopes.get(key);
    if (t == null) {
      t = new Timeline[] {new Timeline(), new Timeline()};
      scopes.put(key, t);
    }
    return t;
  }

  /** What one event adds to every bucket it falls in, worked out once. */
  private record Counts(boolean error, boolean llm, long inputTokens, long outputTokens, double costUsd) {
    Counts(Event e) {
      this(EventFacts.isError(e), e.type().equals("llm.call"), EventFacts.inputTokens(e), EventFacts.outputTokens(e),
          EventFacts.costUsd(e));
    }
  }

  private Bucket bucket(Timeline t, Size size, Instant start) {
    // Events arrive roughly in time order: the newest bucket is nearly always the one wanted.
    if (t.latest != null && t.latestStart.equals(start)) {
      return t.latest;
    }
    Bucket b = t.buckets.get(start);
    if (b == null) {
      b = new Bucket();
      t.buckets.put(start, b);
      Instant oldestKept = t.buckets.lastKey().minus(config.keep(size));
      while (t.buckets.firstKey().isBefore(oldestKept)) {
        t.buckets.pollFirstEntry();
      }
    }
    if (start.equals(t.buckets.lastKey())) {
      t.latest = b;
      t.latestStart = start;
    }
    return b;
  }

  /** The buckets of a series starting in [from, to) (either may be null), oldest first. */
  public List<RollupPoint> query(Series s, Instant from, Instant to) {
    Timeline[] timelines = scopes.get(new Scope(s.runId(), s.agentId()));
    if (timelines == null) {
      return List.of();
    }
    NavigableMap<Instant, Bucket> range = timelines[s.size().ordinal()].buckets;
    if (from != null) {
      range = range.tailMap(startOf(from, s.size()), true);
    }
    if (to != null) {
      range = range.headMap(to, false);
    }
    List<RollupPoint> points = new ArrayList<>(range.size());
    double seconds = s.size().length.toSeconds();
    range.forEach((start, b) -> {
      long[] d = Arrays.copyOf(b.durations, b.durationCount);
      Arrays.sort(d);
      points.add(new RollupPoint(start, start.plus(s.size().length), b.events, b.events / seconds, b.errors,
          b.events == 0 ? 0 : b.errors / (double) b.events, d.length, percentile(d, 50), percentile(d, 95),
          b.llmCalls, b.inputTokens, b.outputTokens, b.inputTokens + b.outputTokens, b.costUsd));
    });
    return points;
  }

  /** Nearest-rank percentile of sorted values, or null when there are none. */
  static Long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return null;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  static Instant startOf(Instant ts, Size size) {
    long len = size.length.toMillis();
    return Instant.ofEpochMilli(Math.floorDiv(ts.toEpochMilli(), len) * len);
  }
}
