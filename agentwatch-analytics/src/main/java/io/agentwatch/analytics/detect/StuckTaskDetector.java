package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stuck_task}: a task was assigned or started and then showed no progress (no
 * {@code task.progress}, {@code task.started}, new assignment, completion or failure) for longer
 * than the timeout. Resolved by the task's next sign of life, or when its run ends: a run that
 * completed, failed or was cancelled leaves its open tasks abandoned, and nobody waits for them.
 *
 * <p>A task that an open routing loop is passing around is the loop's finding, not a second cause:
 * its deadline waits another timeout, and the task is reported stuck only if it still does not
 * move once the loop is over.
 */
public final class StuckTaskDetector implements Detector {

  public static final String NAME = "stuck_task";

  /** @param timeout how long an open task may go without progress */
  public record Config(Duration timeout) {

    public static final Config DEFAULTS = new Config(Duration.ofMinutes(5));

    public Config {
      Words.positive("stuck_task.timeout", timeout);
    }
  }

  private record Armed(String holder, String eventId, String eventType, Instant at) {}

  /** Whether an open routing loop passes a task of a run around. */
  public interface LoopingTasks {
    boolean isLooping(String runKey, String taskId);
  }

  private final Config config;
  private final LoopingTasks looping;
  private final Deadlines<TaskTracker.Key> deadlines = new Deadlines<>();
  private final Map<TaskTracker.Key, Armed> armed = new HashMap<>();

  public StuckTaskDetector(Config config) {
    this(config, (run, task) -> false);
  }

  public StuckTaskDetector(Config config, LoopingTasks looping) {
    this.config = config;
    this.looping = looping;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    TaskTracker.Change change = o.task();
    if (change == null || o.runOver()) {
      return;
    }
    Event e = o.event();
    TaskTracker.Key key = change.key();
    String alertKey = alertKey(key);
    TaskTracker.Task task = change.after();
    if (task.state().terminal()) {
      deadlines.cancel(key);
      armed.remove(key);
      signals.resolve(NAME, alertKey, "task " + key.taskId() + " " + (task.state() == TaskTracker.State.COMPLETED
          ? "was completed by " + e.agentId() : "failed"), List.of(e.id()), e.ts());
      return;
    }
    if (task.holder() == null || e.type().equals("task.created") && change.before() != null) {
      return;
    }
    signals.resolve(NAME, alertKey, "task " + key.taskId() + " moved again: " + e.type() + " by " + e.agentId(),
        List.of(e.id()), e.ts());
    Instant due = e.ts().plus(config.timeout());
    Instant current = deadlines.get(key);
    if (current == null || due.isAfter(current)) {
      deadlines.set(key, due);
      armed.put(key, new Armed(task.holder(), e.id(), e.type(), e.ts()));
    }
  }

  @Override
  public void runEnded(RunEnd end, Signals signals) {
    for (TaskTracker.Task task : end.abandoned()) {
      TaskTracker.Key key = new TaskTracker.Key(end.runKey(), task.taskId());
      deadlines.cancel(key);
      armed.remove(key);
      signals.resolve(NAME, alertKey(key), "run " + end.runKey() + " " + end.verb() + " while task " + task.taskId()
          + " was still " + task.state().name().toLowerCase(java.util.Locale.ROOT) + ": the task is abandoned",
          List.of(end.event().id()), end.event().ts());
    }
  }

  @Override
  public void advance(Instant now, Signals signals) {
    // A deadline re-armed while handling another may itself be due already: repeat until none is.
    for (List<Deadlines.Due<TaskTracker.Key>> dues = deadlines.due(now); !dues.isEmpty(); dues = deadlines.due(now)) {
      for (Deadlines.Due<TaskTracker.Key> due : dues) {
        fire(due, signals);
      }
    }
  }

  private void fire(Deadlines.Due<TaskTracker.Key> due, Signals signals) {
    TaskTracker.Key key = due.key();
    if (looping.isLooping(key.runId(), key.taskId())) {
      deadlines.set(key, due.at().plus(config.timeout()));
      return;
    }
    Armed a = armed.remove(key);
    String what = switch (a.eventType()) {
      case "task.progress" -> "last reported progress";
      case "task.started" -> "was started";
      default -> "was assigned to " + a.holder();
    };
    String message = "Task " + key.taskId() + " of " + Words.run(key.runId()) + " held by " + a.holder()
        + " has shown no progress for " + Words.duration(Duration.between(a.at(), due.at())) + ": it " + what
        + " at " + a.at() + " and nothing has happened to it since.";
    signals.raise(new AlertDraft(NAME, alertKey(key), a.eventId(), Severity.WARNING,
        key.runId().isEmpty() ? null : key.runId(), List.of(a.holder()), List.of(a.eventId()), message,
        due.at(), key.taskId(), EventCodec.JSON.createObjectNode().put("taskId", key.taskId())));
  }


  private static String alertKey(TaskTracker.Key key) {
    return key.runId() + '|' + key.taskId();
  }
}
