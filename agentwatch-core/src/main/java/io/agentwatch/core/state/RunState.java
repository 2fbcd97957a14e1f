package io.agentwatch.core.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A run (a multi-agent session or conversation) as projected from its events. The JSON shape of
 * {@code GET /api/v1/runs/{id}}; only {@link Projection} changes it.
 */
public final class RunState {

  public String runId;
  public String title;
  public List<String> labels = new ArrayList<>();
  /**
   * agentId → role (null until the agent registers). Sorted for a stable JSON form; declared
   * sorted so that a row read back from JSON stays sorted as participants join later.
   */
  public SortedMap<String, String> participants = new TreeMap<>();
  public Instant startedAt;
  public Instant lastEventAt;
  public Instant endedAt;
  /** running, completed, failed or cancelled. */
  public String status = "running";
  public TaskCounts tasks = new TaskCounts();
  public Totals totals = new Totals();
  /** Number of accepted edits; the ETag of optimistic locking. */
  public long version;

  /** How many of the run's tasks are in each state. */
  public static final class TaskCounts {
    public long total;
    public long created;
    public long assigned;
    public long running;
    public long completed;
    public long failed;
    /** Still open when the run ended. */
    public long abandoned;

    void move(String from, String to) {
      if (from == null) {
        total++;
      } else {
        add(from, -1);
      }
      add(to, 1);
    }

    private void add(String state, int n) {
      switch (state) {
        case "created" -> created += n;
        case "assigned" -> assigned += n;
        case "running" -> running += n;
        case "completed" -> completed += n;
        case "failed" -> failed += n;
        case "abandoned" -> abandoned += n;
        default -> throw new IllegalArgumentException("unknown task state " + state);
      }
    }
  }

  /** What happened in the run, added up. */
  public static final class Totals {
    public long events;
    public long errors;
    public long messages;
    public long toolCalls;
    public long llmCalls;
    public long inputTokens;
    public long outputTokens;
    public double costUsd;
  }
}
