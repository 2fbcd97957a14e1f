package io.agentwatch.core.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent as projected from the log: who it is, what it does now, what it has done. The JSON
 * shape of {@code GET /api/v1/agents/{id}}; only {@link Projection} changes it.
 */
public final class AgentState {

  public String agentId;
  public String role;
  public String name;
  public List<String> capabilities = new ArrayList<>();
  /** idle, busy, paused, error, offline or quarantined; null until an agent.status event. */
  public String status;
  public Instant statusAt;
  public Instant firstSeen;
  public Instant lastSeen;
  public Instant lastHeartbeat;
  public Heartbeat heartbeat;
  public String currentRunId;
  public String currentTaskId;
  public String lastRunId;
  public Counters counters = new Counters();
  public String displayName;
  public List<String> tags = new ArrayList<>();
  public String notes;
  /** Number of accepted edits; the ETag of optimistic locking. */
  public long version;
  public List<String> flags = new ArrayList<>();

  /** The latest heartbeat's numbers. */
  public static final class Heartbeat {
    public Double cpu;
    public Double memoryMb;
    public Double queueDepth;
  }

  /** What the agent did, counted over every run. */
  public static final class Counters {
    public long events;
    public long tasksAssigned;
    public long tasksStarted;
    public long tasksCompleted;
    public long tasksFailed;
    public long errors;
    public long messagesSent;
    public long messagesReceived;
    public long toolCalls;
    public long llmCalls;
    public long inputTokens;
    public long outputTokens;
    public double costUsd;
  }
}
