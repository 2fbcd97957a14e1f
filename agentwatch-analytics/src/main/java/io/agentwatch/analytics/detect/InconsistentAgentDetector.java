package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code inconsistent_agent}: an agent whose reports contradict the rest of the record.
 * <ul>
 *   <li>completing a task that is assigned to another agent;</li>
 *   <li>a task completed twice with different results (a repeated identical completion is a retry,
 *       not a contradiction);</li>
 *   <li>status flapping: at least {@code flapChanges} changes of {@code agent.status} within
 *       {@code flapWindow} that no work explains, resolved once the status holds still for a whole
 *       window. A change that follows a task event, a registration or a run end of the agent (busy
 *       after starting a task, idle after finishing it, offline after ending its run, back after
 *       signing off) is the agent working, and is not counted; a fast agent changes status with
 *       every task. Nor is going offline: an agent signing off contradicts nothing.</li>
 * </ul>
 * The first two are facts about the past and stay open until acknowledged.
 */
public final class InconsistentAgentDetector implements Detector {

  public static final String NAME = "inconsistent_agent";

  public record Config(int flapChanges, Duration flapWindow) {

    public static final Config DEFAULTS = new Config(10, Duration.ofSeconds(60));

    public Config {
      Words.atLeast("inconsistent_agent.flapChanges", flapChanges, 2);
      Words.positive("inconsistent_agent.flapWindow", flapWindow);
    }
  }

  private record Change(Instant ts, String eventId, String status) {}

  private static final class Status {
    String current;
    /** The agent worked (a task event, a registration, a run's end) since its last status: the next change is explained. */
    boolean worked;
    final ArrayDeque<Change> changes = new ArrayDeque<>();
  }

  private final Config config;
  private final Map<String, Status> statuses = new HashMap<>();
  private final Deadlines<String> steady = new Deadlines<>();

  public InconsistentAgentDetector(Config config) {
    this.config = config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    Event e = o.event();
    if (e.type().equals("task.completed") && o.task() != null) {
      completed(o.task(), e, signals);
    } else if (e.type().equals("agent.status")) {
      status(e, signals);
      return;
    }
    if (o.task() != null || e.type().equals("agent.registered") || e.type().startsWith("run.")) {
      Status s = statuses.get(e.agentId());
      if (s != null) {
        s.worked = true;
      }
    }
  }

  private void completed(TaskTracker.Change change, Event e, Signals signals) {
    TaskTracker.Task before = change.before();
    String runKey = change.key().runId();
    String runId = runKey.isEmpty() ? null : runKey;
    String taskId = change.key().taskId();
    if (before == null) {
      return;
    }
    if (before.state() == TaskTracker.State.COMPLETED) {
      if (!Objects.equals(before.result(), TaskTracker.resultOf(e))) {
        String message = "Task " + taskId + " of " + Words.run(runKey) + " was completed twice with different"
            + " results: by " + before.completedBy() + " at " + before.completedAt() + ", then by " + e.agentId()
            + " at " + e.ts() + ".";
        List<String> agents = before.completedBy().equals(e.agentId()) ? List.of(e.agentId())
            : List.of(e.agentId(), before.completedBy());
        signals.raise(new AlertDraft(NAME, "double|" + runKey + '|' + taskId, e.id(), Severity.CRITICAL, runId,
            agents, List.of(before.completedEventId(), e.id()), message, e.ts(), taskId + " completed twice",
            null));
      }
      return;
    }
    if (before.assignee() != null && !before.assignee().equals(e.agentId())) {
      String message = e.agentId() + " completed task " + taskId + " of " + Words.run(runKey) + ", which was"
          + " assigned to " + before.assignee() + ", not to it.";
      List<String> evidence = new ArrayList<>();
      if (before.assignEventId() != null) {
        evidence.add(before.assignEventId());
      }
      evidence.add(e.id());
      signals.raise(new AlertDraft(NAME, "foreign|" + runKey + '|' + taskId + '|' + e.agentId(), e.id(),
          Severity.WARNING, runId, List.of(e.agentId(), before.assignee()), evidence, message, e.ts(),
          taskId + " completed by " + e.agentId(), null));
    }
  }

  private void status(Event e, Signals signals) {
    String agent = e.agentId();
    String now = EventFacts.text(e.data(), "status");
    Status s = statuses.computeIfAbsent(agent, k -> new Status());
    if (Objects.equals(now, s.current)) {
      return;
    }
    boolean first = s.current == null;
    s.current = now;
    boolean explained = s.worked;
    s.worked = false;
    // Busy after starting a task, idle after finishing it, back for the next run: work, not flapping.
    // Going offline is signing off, which contradicts nothing.
    if (first || explained || "offline".equals(now)) {
      return;
    }
    s.changes.addLast(new Change(e.ts(), e.id(), now));
    Instant edge = e.ts().minus(config.flapWindow());
    while (!s.changes.isEmpty() && !s.changes.peekFirst().ts().isAfter(edge)) {
      s.changes.pollFirst();
    }
    steady.set(agent, e.ts().plus(config.flapWindow()));
    String key = "flap|" + agent;
    if (s.changes.size() >= config.flapChanges() && !signals.isOpen(NAME, key)) {
      List<String> sequence = new ArrayList<>();
      List<String> evidence = new ArrayList<>();
      s.changes.forEach(c -> {
        sequence.add(c.status());
        evidence.add(c.eventId());
      });
      String message = agent + " changed its status " + s.changes.size() + " times within "
          + Words.duration(config.flapWindow()) + " (" + String.join(" → ", sequence) + "): it is flapping.";
      signals.raise(new AlertDraft(NAME, key, e.id(), Severity.WARNING, e.runId(), List.of(agent), evidence,
          message, e.ts(), agent + " flapping", null));
    }
  }

  @Override
  public void advance(Instant now, Signals signals) {
    for (Deadlines.Due<String> due : steady.due(now)) {
      String agent = due.key();
      statuses.get(agent).changes.clear();
      signals.resolve(NAME, "flap|" + agent, agent + " has kept its status (" + statuses.get(agent).current
          + ") for " + Words.duration(config.flapWindow()), List.of(), due.at());
    }
  }
}
