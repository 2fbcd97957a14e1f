package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a detector found: the facts of an alert before it becomes an {@code alert.raised} event.
 *
 * @param detector one of the detector names of API.md, e.g. {@code stuck_task}
 * @param key      what the alert is about within its detector (a run and task, an agent, a cycle);
 *                 at most one alert per (detector, key) is open at a time
 * @param cause    the id of the event (or the instant) that armed or triggered the finding; with
 *                 detector and key it makes the alert's id, so the same log always gives the same id
 * @param severity how urgent
 * @param runId    the run it is about, or null for tenant-wide findings
 * @param agents   the agents involved, most responsible first
 * @param evidence ids of the events that show it
 * @param message  a sentence a person understands without knowing the detector
 * @param ts       event time of the finding (the triggering event's, or the passed deadline)
 */
public record AlertDraft(
    String detector, String key, String cause, Severity severity, String runId, List<String> agents,
    List<String> evidence, String message, Instant ts) {

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
  }
}
