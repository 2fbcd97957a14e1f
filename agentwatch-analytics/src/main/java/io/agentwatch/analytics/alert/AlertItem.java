package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One finding of a detector inside an alert: an alert groups the findings of one detector in one
 * run (a flood summary holds findings of any detector).
 *
 * @param finding    the finding's id, derived from (detector, key, cause) like an alert id
 * @param key        what the finding is about within its detector (a task, a cycle, an agent…);
 *                   at most one finding of a (detector, key) is open at a time
 * @param label      the key as a person reads it (e.g. the task id, or {@code a → b → a})
 * @param facts      numbers that explain the finding (a budget's spend, limit and window), or null
 * @param state      {@code open} or {@code resolved}
 */
public record AlertItem(
    String finding, String detector, String key, String label, String severity, String runId, List<String> agents,
    List<String> evidence, String message, Instant raisedAt, JsonNode facts, String state, Instant resolvedAt,
    String resolution) {

  public AlertItem {
    agents = List.copyOf(agents);
    evidence = List.copyOf(evidence);
  }

  public boolean isOpen() {
    return AlertView.OPEN.equals(state);
  }

  AlertItem resolved(Instant at, String reason) {
    return new AlertItem(finding, detector, key, label, severity, runId, agents, evidence, message, raisedAt, facts,
        AlertView.RESOLVED, at, reason);
  }
}
