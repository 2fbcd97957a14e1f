package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.model.Event;
import java.util.List;

/**
 * A run ended: {@code run.completed}, {@code run.failed} or {@code run.cancelled}.
 *
 * @param runKey    the run
 * @param outcome   completed, failed or cancelled
 * @param event     the event that ended it
 * @param abandoned its tasks that were still open, as they were (they are now abandoned)
 */
public record RunEnd(String runKey, String outcome, Event event, List<TaskTracker.Task> abandoned) {

  public RunEnd {
    abandoned = List.copyOf(abandoned);
  }

  /** "completed", "failed" or "was cancelled", to finish a sentence about the run. */
  public String verb() {
    return outcome.equals("cancelled") ? "was cancelled" : outcome;
  }
}
