package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.analytics.graph.Interaction;
import io.agentwatch.model.Event;
import java.util.List;

/**
 * One event as the detectors see it, with what the tenant's shared facts made of it.
 *
 * @param task         what the event did to its task, or null for other events
 * @param interactions the links between agents the event shows
 * @param runOver      whether the event's run has ended (completed, failed or cancelled) before it:
 *                     open tasks of an ended run are no longer watched
 */
public record Observation(Event event, TaskTracker.Change task, List<Interaction> interactions, boolean runOver) {

  public Observation(Event event, TaskTracker.Change task, List<Interaction> interactions) {
    this(event, task, interactions, false);
  }

  /** The run key of the event: its run id, or "" for events outside any run. */
  public String runKey() {
    return event.runId() == null ? "" : event.runId();
  }
}
