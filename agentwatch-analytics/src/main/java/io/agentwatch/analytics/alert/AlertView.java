package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;

/**
 * An alert as its {@code alert.*} events made it, in the shape of API.md's {@code /api/v1/alerts}
 * with the additions of grouping: one alert holds the findings of one detector in one run.
 *
 * @param seq            position among the tenant's alerts in log order (for paging)
 * @param key            what the alert groups: the run ("" outside runs); for alerts written before
 *                       grouping, the key of its one finding
 * @param state          {@code open} or {@code resolved}
 * @param agents         the agents its findings name, most responsible first (at most {@link #MAX_AGENTS})
 * @param count          how many findings it holds
 * @param open           how many of them are open
 * @param items          its findings in the order they were made (at most {@link #MAX_ITEMS})
 * @param resolution     why it was resolved, or null
 * @param acknowledgedBy key id of who acknowledged it (null when not, or when auth was off)
 * @param actions        what policies did about it, in log order
 */
public record AlertView(
    long seq, String id, String detector, String key, String severity, String state, String runId,
    List<String> agents, List<String> evidence, String message, Instant raisedAt, Instant updatedAt,
    Instant resolvedAt, String resolution, Instant acknowledgedAt, String acknowledgedBy, int count, int open,
    List<AlertItem> items, List<AlertAction> actions) {

  public static final String OPEN = "open";
  public static final String RESOLVED = "resolved";
  public static final int MAX_ITEMS = 100;
  public static final int MAX_AGENTS = 50;

  public AlertView {
    agents = List.copyOf(agents);
    evidence = List.copyOf(evidence);
    items = List.copyOf(items);
    actions = List.copyOf(actions);
  }

  public boolean isOpen() {
    return OPEN.equals(state);
  }

  public boolean acknowledged() {
    return acknowledgedAt != null;
  }
}
