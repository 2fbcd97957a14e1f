package io.agentwatch.analytics.facts;

import io.agentwatch.model.Event;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tasks of one tenant as far as the analytics needs them: who holds each task, its state, and
 * its completion. Tasks are named within their run. Each task event yields a {@link Change} with
 * the task as it was before, so detectors can compare. Tasks that have not ended are all kept;
 * of the ended ones only the most recently ended {@code endedMemory} (a completion repeated later
 * than that is treated as the first). Not thread-safe.
 */
public final class TaskTracker {

  /** A task's identity: its run ("" outside any run) and its id. */
  public record Key(String runId, String taskId) {}

  /**
   * A task's state. {@code ABANDONED}: its run ended (completed, failed or cancelled) while the
   * task was still open; nobody watches it any more, though a late completion still counts.
   */
  public enum State { CREATED, ASSIGNED, RUNNING, COMPLETED, FAILED, ABANDONED;

    public boolean terminal() {
      return this == COMPLETED || this == FAILED || this == ABANDONED;
    }
  }

  /**
   * A task at one moment.
   *
   * @param assignEventId     the event that gave the task its current assignee
   * @param completedEventId  the first completion, or null
   * @param result            what the first completion reported (its {@code result}, else its data)
   */
  public record Task(String runId, String taskId, State state, String assignee, String assignEventId,
                     Instant startedAt, String completedBy, String completedEventId, Instant completedAt,
                     JsonNode result) {

    /** The agent holding the task open (assigned or running), or null. */
    public String holder() {
      return state == State.ASSIGNED || state == State.RUNNING ? assignee : null;
    }
  }

  /** What one event did to one task: before is null for a task first seen now. */
  public record Change(Key key, Task before, Task after, Event event) {

    public boolean holderChanged() {
      return !Objects.equals(before == null ? null : before.holder(), after.holder());
    }
  }

  private final Map<Key, Task> open = new HashMap<>();
  /** The open tasks by run key, in the order they were first seen, so a run's end finds them at once. */
  private final Map<String, LinkedHashMap<Key, Boolean>> openByRun = new HashMap<>();
  private final Map<Key, Task> ended;

  public TaskTracker(int endedMemory) {
    if (endedMemory < 1) {
      throw new IllegalArgumentException("endedMemory must be at least 1 but was " + endedMemory);
    }
    this.ended = new LinkedHashMap<>(Math.min(endedMemory, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Task> eldest) {
        return size() > endedMemory;
      }
    };
  }

  /** Applies a {@code task.*} event; null for any other event. */
  public Change apply(Event e) {
    if (!e.type().startsWith("task.")) {
      return null;
    }
    String taskId = EventFacts.text(e.data(), "taskId");
    if (taskId == null) {
      return null;
    }
    Key key = new Key(e.runId() == null ? "" : e.runId(), taskId);
    Task before = get(key);
    Task t = before != null ? before
        : new Task(e.runId(), taskId, State.CREATED, null, null, null, null, null, null, null);
    Task after = switch (e.type()) {
      case "task.created" -> {
        String assignee = EventFacts.text(e.data(), "assignee");
        yield assignee != null && t.state() == State.CREATED ? assigned(t, assignee, e) : t;
      }
      case "task.assigned" -> t.state().terminal() ? t : assigned(t, EventFacts.text(e.data(), "assignee"), e);
      case "task.started" -> t.state() == State.COMPLETED ? t
          : new Task(t.runId(), taskId, State.RUNNING, t.assignee() != null ? t.assignee() : e.agentId(),
              t.assignee() != null ? t.assignEventId() : e.id(), e.ts(), t.completedBy(), t.completedEventId(),
              t.completedAt(), t.result());
      case "task.completed" -> t.completedEventId() != null
          ? new Task(t.runId(), taskId, State.COMPLETED, t.assignee(), t.assignEventId(), t.startedAt(),
              t.completedBy(), t.completedEventId(), t.completedAt(), t.result())
          : new Task(t.runId(), taskId, State.COMPLETED, t.assignee(), t.assignEventId(), t.startedAt(),
              e.agentId(), e.id(), e.ts(), resultOf(e));
      case "task.failed" -> t.state() == State.COMPLETED ? t
          : new Task(t.runId(), taskId, State.FAILED, t.assignee(), t.assignEventId(), t.startedAt(),
              t.completedBy(), t.completedEventId(), t.completedAt(), t.result());
      default -> t;
    };
    store(key, after);
    return new Change(key, before, after, e);
  }

  private void store(Key key, Task after) {
    if (after.state().terminal()) {
      if (open.remove(key) != null) {
        Map<Key, Boolean> ofRun = openByRun.get(key.runId());
        ofRun.remove(key);
        if (ofRun.isEmpty()) {
          openByRun.remove(key.runId());
        }
      }
      ended.put(key, after);
    } else {
      ended.remove(key);
      if (open.put(key, after) == null) {
        openByRun.computeIfAbsent(key.runId(), r -> new LinkedHashMap<>()).put(key, Boolean.TRUE);
      }
    }
  }

  /**
   * The run {@code runKey} ended: each of its tasks still open becomes {@link State#ABANDONED}.
   * Returns them as they were before, in the order they were first seen.
   */
  public java.util.List<Task> endRun(String runKey) {
    Map<Key, Boolean> ofRun = openByRun.get(runKey);
    if (ofRun == null) {
      return java.util.List.of();
    }
    java.util.List<Task> abandoned = new java.util.ArrayList<>(ofRun.size());
    for (Key key : java.util.List.copyOf(ofRun.keySet())) {
      Task t = open.get(key);
      abandoned.add(t);
      store(key, new Task(t.runId(), t.taskId(), State.ABANDONED, t.assignee(), t.assignEventId(), t.startedAt(),
          t.completedBy(), t.completedEventId(), t.completedAt(), t.result()));
    }
    return java.util.List.copyOf(abandoned);
  }

  private static Task assigned(Task t, String assignee, Event e) {
    // A running task handed to its own runner again keeps running; to anyone else it starts over.
    State state = t.state() == State.RUNNING && Objects.equals(assignee, t.assignee()) ? State.RUNNING : State.ASSIGNED;
    return new Task(t.runId(), t.taskId(), state, assignee, e.id(), state == State.RUNNING ? t.startedAt() : null,
        t.completedBy(), t.completedEventId(), t.completedAt(), t.result());
  }

  /** What a completion reports: its {@code result} when it has one, else its data without the task id. */
  public static JsonNode resultOf(Event e) {
    JsonNode result = e.data().get("result");
    if (result != null) {
      return result;
    }
    ObjectNode rest = e.data().deepCopy();
    rest.remove("taskId");
    return rest;
  }

  public Task get(Key key) {
    Task t = open.get(key);
    return t != null ? t : ended.get(key);
  }
}
