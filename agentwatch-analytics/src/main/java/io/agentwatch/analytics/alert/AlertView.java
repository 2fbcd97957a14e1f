package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;

/**
 * An alert as its {@code alert.*} events made it, in the shape of API.md's {@code /api/v1/alerts}.
 *
 * @param seq            position among the tenant's alerts in log order (for paging)
 * @param state          {@code open} or {@code resolved}
 * @param resolution     why it was resolved, or null
 * @param acknowledgedBy key id of who acknowledged it (null when not, or when auth was off)
 */
public record AlertView(
    long seq, String id, String detector, String key, String severity, String state, String runId,
    List<String> agents, List<String> evidence, String message, Instant raisedAt, Instant resolvedAt,
    String resolution, Instant acknowledgedAt, String acknowledgedBy) {

  public static final String OPEN = "open";
  public static final String RESOLVED = "resolved";

  public boolean isOpen() {
    return OPEN.equals(state);
  }

  public boolean acknowledged() {
    return acknowledgedAt != null;
  }

  AlertView resolved(Instant at, String reason) {
    return new AlertView(seq, id, detector, key, severity, RESOLVED, runId, agents, evidence, message, raisedAt, at,
        reason, acknowledgedAt, acknowledgedBy);
  }

  AlertView acknowledged(Instant at, String by) {
    return new AlertView(seq, id, detector, key, severity, state, runId, agents, evidence, message, raisedAt,
        resolvedAt, resolution, at, by);
  }
}
