package io.agentwatch.core.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A task as projected from its events: created → assigned → running → completed / failed, or
 * abandoned when its run ended (completed, failed or cancelled) while it was still open.
 *
 * <p>Fields are public because this class is the JSON shape of a task (API and stored rows);
 * only {@link Projection} changes them. Times are producer times; a transition the state machine
 * does not allow is applied where it makes sense and always recorded in {@link #flags}, never
 * dropped silently.
 */
public final class TaskState {

  public String runId;
  public String taskId;
  public String title;
  public String parentTaskId;
  /** created, assigned, running, completed, failed or abandoned. */
  public String state;
  public String assignee;
  public String createdBy;
  public Instant createdAt;
  public Instant assignedAt;
  public Instant startedAt;
  public Instant endedAt;
  public Long durationMs;
  public Double percent;
  public Instant progressAt;
  public String error;
  public String completedBy;
  public Instant updatedAt;
  public long events;
  public List<String> flags = new ArrayList<>();

  public boolean terminal() {
    return "completed".equals(state) || "failed".equals(state);
  }
}
