package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * What a detector found: the facts of a finding before it becomes part of an alert.
 *
 * @param detector one of the detector names of API.md, e.g. {@code stuck_task}
 * @param key      what the finding is about within its detector (a run and task, an agent, a cycle);
 *                 at most one finding per (detector, key) is open at a time
 * @param cause    the id of the event (or the instant) that armed or triggered the finding; with
 *                 detector and key it makes the finding's id, so the same log always gives the same id
 * @param severity how urgent
 * @param runId    the run it is about, or null for tenant-wide findings
 * @param agents   the agents involved, most responsible first
 * @param evidence ids of the events that show it
 * @param message  a sentence a person understands without knowing the detector
 * @param ts       event time of the finding (the triggering event's, or the passed deadline)
 * @param label    the key as a person reads it; by default the key without its run
 * @param facts    numbers that explain it (a budget's spend and window), or null
 */
public record AlertDraft(
    String detector, String key, String cause, Severity severity, String runId, List<String> agents,
    List<String> evidence, String message, Instant ts, String label, JsonNode facts) {

  /** More would bloat the event without telling a reader more. */
  public static final int MAX_EVIDENCE = 20;

  public AlertDraft {
    Objects.requireNonNull(detector, "detector");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(cause, "cause");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(ts, "ts");
    agents = List.copyOf(agents);
    evidence = evidence.size() > MAX_EVIDENCE ? List.copyOf(evidence.subList(0, MAX_EVIDENCE)) : List.copyOf(evidence);
    if (label == null) {
      String run = runId == null ? "" : runId;
      label = key.startsWith(run + '|') ? key.substring(run.length() + 1) : key;
    }
  }

  public AlertDraft(String detector, String key, String cause, Severity severity, String runId, List<String> agents,
      List<String> evidence, String message, Instant ts) {
    this(detector, key, cause, severity, runId, agents, evidence, message, ts, null, null);
  }

  /** The finding's id: derived from detector, key and cause only. */
  public String findingId() {
    return AlertEvents.raisedId(detector, key, cause);
  }

  /** The finding as an open item of an alert. */
  public AlertItem item() {
    return new AlertItem(findingId(), detector, key, label, severity.label(), runId, agents, evidence, message, ts,
        facts, AlertView.OPEN, null, null);
  }
}
