package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code anomaly}: an agent behaving unlike its own recent past. Each agent's events are cut into
 * event-time buckets; when a bucket closes, its event count, error rate, mean latency, and tokens
 * and cost per model call (per call, because model use comes in bursts) are compared with an exponentially weighted mean and variance of the agent's earlier
 * buckets (EWMA with weight {@code alpha}). After {@code warmupBuckets} buckets, a value whose
 * z-score reaches {@code zThreshold} above the mean raises an alert for that metric; the next
 * bucket back under it resolves it. Only rises are alerts: an agent that falls silent is
 * {@code lost_agent}'s business. Buckets without events are not compared (an idle agent is not
 * anomalous), nor are per-call and latency metrics of buckets without model calls or latencies. The alert names the run of the bucket's last event in a run. To keep a steady baseline from making tiny changes look huge, the standard deviation
 * used is at least {@code relativeFloor} × |mean| and at least the metric's absolute floor.
 */
public final class AnomalyDetector implements Detector {

  public static final String NAME = "anomaly";

  /** What is compared, with the smallest standard deviation assumed for it. */
  public enum Metric {
    EVENTS("event count"), ERROR_RATE("error rate"), LATENCY_MS("mean latency (ms)"),
    TOKENS("token use per model call"), COST_USD("cost per model call (USD)");

    final String words;

    Metric(String words) {
      this.words = words;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param floors the smallest standard deviation per metric: a change smaller than about
   *               zThreshold × floor is never an anomaly
   */
  public record Config(Duration bucket, double alpha, double zThreshold, int warmupBuckets, double relativeFloor,
                       Map<Metric, Double> floors) {

    public static final Config DEFAULTS = new Config(Duration.ofSeconds(10), 0.1, 4.0, 12, 0.25, Map.of(
        Metric.EVENTS, 3.0, Metric.ERROR_RATE, 0.15, Metric.LATENCY_MS, 100.0, Metric.TOKENS, 500.0,
        Metric.COST_USD, 0.01));

    public Config {
      Words.positive("anomaly.bucket", bucket);
      if (!(alpha > 0 && alpha <= 1)) {
        throw new IllegalArgumentException("anomaly.alpha must be in (0, 1] but was " + alpha);
      }
      if (!(zThreshold > 0)) {
        throw new IllegalArgumentException("anomaly.zThreshold must be positive but was " + zThreshold);
      }
      Words.atLeast("anomaly.warmupBuckets", warmupBuckets, 2);
      if (!(relativeFloor >= 0)) {
        throw new IllegalArgumentException("anomaly.relativeFloor must be >= 0 but was " + relativeFloor);
      }
      EnumMap<Metric, Double> all = new EnumMap<>(Metric.class);
      for (Metric m : Metric.values()) {
        Double f = floors == null ? null : floors.get(m);
        if (f == null || !(f > 0)) {
          throw new IllegalArgumentException("anomaly floor of " + m.label() + " must be positive but was " + f);
        }
        all.put(m, f);
      }
      floors = Map.copyOf(all);
    }
  }

  /** Exponentially weighted mean and variance (West's incremental form). */
  static final class Ewma {
    long n;
    double mean;
    double variance;

    void add(double x, double alpha) {
      if (n++ == 0) {
        mean = x;
        return;
      }
      double diff = x - mean;
      double incr = alpha * diff;
      mean += incr;
      variance = (1 - alpha) * (variance + diff * incr);
    }
  }

  private static final int EVIDENCE = 10;

  private static final class Bucket {
    final Instant start;
    long events;
    long errors;
    double latencySum;
    long latencySamples;
    long llmCalls;
    double tokens;
    double cost;
    String runId;
    final ArrayDeque<String> lastIds = new ArrayDeque<>(EVIDENCE);

    Bucket(Instant start) {
      this.start = start;
    }

    void add(Event e) {
      events++;
      if (EventFacts.isError(e)) {
        errors++;
      }
      double latency = EventFacts.latencyMs(e);
      if (latency >= 0) {
        latencySum += latency;
        latencySamples++;
      }
      if (e.type().equals("llm.call")) {
        llmCalls++;
      }
      tokens += EventFacts.inputTokens(e) + EventFacts.outputTokens(e);
      cost += EventFacts.costUsd(e);
      if (e.runId() != null) {
        runId = e.runId();
      }
      if (lastIds.size() == EVIDENCE) {
        lastIds.pollFirst();
      }
      lastIds.addLast(e.id());
    }

    Double value(Metric m) {
      return switch (m) {
        case EVENTS -> (double) events;
        case ERROR_RATE -> errors / (double) events;
        case LATENCY_MS -> latencySamples == 0 ? null : latencySum / latencySamples;
        case TOKENS -> llmCalls == 0 ? null : tokens / llmCalls;
        case COST_USD -> llmCalls == 0 ? null : cost / llmCalls;
      };
    }
  }

  private static final class Agent {
    Bucket current;
    final Map<Metric, Ewma> baselines = new EnumMap<>(Metric.class);
  }

  private final Config config;
  private final Map<String, Agent> agents = new HashMap<>();
  private final Deadlines<String> closing = new Deadlines<>();
  private final long bucketMillis;

  public AnomalyDetector(Config config) {
    this.config = config;
    this.bucketMillis = config.bucket().toMillis();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    Event e = o.event();
    Agent agent = agents.computeIfAbsent(e.agentId(), k -> new Agent());
    Instant start = Instant.ofEpochMilli(Math.floorDiv(e.ts().toEpochMilli(), bucketMillis) * bucketMillis);
    if (agent.current != null && start.isAfter(agent.current.start)) {
      close(e.agentId(), agent, signals);
    }
    if (agent.current == null) {
      agent.current = new Bucket(start);
      // Due once event time reaches the bucket's end: the deadline fires strictly after it.
      closing.set(e.agentId(), start.plusMillis(bucketMillis).minusNanos(1));
    }
    // A late event of an earlier bucket counts in the open one rather than reopening the past.
    agent.current.add(e);
  }

  @Override
  public void advance(Instant now, Signals signals) {
    for (Deadlines.Due<String> due : closing.due(now)) {
      Agent agent = agents.get(due.key());
      if (agent.current != null) {
        close(due.key(), agent, signals);
      }
    }
  }

  private void close(String agentId, Agent agent, Signals signals) {
    Bucket b = agent.current;
    agent.current = null;
    closing.cancel(agentId);
    Instant end = b.start.plusMillis(bucketMillis);
    for (Metric m : Metric.values()) {
      Double x = b.value(m);
      if (x == null) {
        continue;
      }
      Ewma base = agent.baselines.computeIfAbsent(m, k -> new Ewma());
      String key = agentId + '|' + m.label();
      if (base.n >= config.warmupBuckets()) {
        double sd = Math.max(Math.sqrt(base.variance),
            Math.max(config.relativeFloor() * Math.abs(base.mean), config.floors().get(m)));
        double z = (x - base.mean) / sd;
        if (z >= config.zThreshold()) {
          String message = agentId + "'s " + m.words + " was " + Words.number(x) + " in the "
              + Words.duration(config.bucket()) + " from " + b.start + ", against a usual " + Words.number(base.mean)
              + " ± " + Words.number(Math.sqrt(base.variance)) + " (z = " + String.format(Locale.ROOT, "%.1f", z)
              + ", threshold " + Words.number(config.zThreshold()) + ").";
          signals.raise(new AlertDraft(NAME, key, b.start.toString(),
              z >= 2 * config.zThreshold() ? Severity.CRITICAL : Severity.WARNING, b.runId, List.of(agentId),
              new ArrayList<>(b.lastIds), message, end, agentId + " " + m.words, null));
        } else {
          signals.resolve(NAME, key, agentId + "'s " + m.words + " is back to usual (" + Words.number(x) + ")",
              new ArrayList<>(b.lastIds), end);
        }
      }
      base.add(x, config.alpha());
    }
  }
}
