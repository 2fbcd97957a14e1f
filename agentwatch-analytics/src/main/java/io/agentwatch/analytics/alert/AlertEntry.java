package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One alert inside the {@link AlertBook}: its findings and what happened to it. Mutable, owned by
 * the book; readers get an {@link AlertView}. Its summary (severity, agents, evidence, message) is
 * derived from its findings, so every copy of the book that holds the same findings says the same.
 */
final class AlertEntry {

  private static final int MAX_LABELS = 5;

  final long seq;
  final String id;
  final String detector;
  final String key;
  final String runId;
  /** A flood summary: findings of any detector past the tenant's rate of new alerts. */
  final boolean summary;
  final Map<String, AlertItem> items = new LinkedHashMap<>();
  final Set<String> allAgents = new LinkedHashSet<>();
  final List<AlertAction> actions = new ArrayList<>();
  final Instant raisedAt;
  Instant updatedAt;
  int open;
  Severity severity = Severity.INFO;
  Instant resolvedAt;
  String resolution;
  Instant acknowledgedAt;
  String acknowledgedBy;

  private AlertEntry(long seq, String id, String detector, String key, String runId, boolean summary, Instant raisedAt) {
    this.seq = seq;
    this.id = id;
    this.detector = detector;
    this.key = key;
    this.runId = runId;
    this.summary = summary;
    this.raisedAt = raisedAt;
    this.updatedAt = raisedAt;
  }

  static AlertEntry of(String id, String detector, String key, String runId, boolean summary, AlertItem first,
      Instant at) {
    AlertEntry e = new AlertEntry(-1, id, detector, key, runId, summary, at);
    e.add(first, at);
    return e;
  }

  static AlertEntry create(long seq, String id, String detector, String key, String runId, boolean summary,
      Instant at) {
    return new AlertEntry(seq, id, detector, key, runId, summary, at);
  }

  boolean isOpen() {
    return resolvedAt == null;
  }

  /** Adds an open finding; false when the alert already holds it. */
  boolean add(AlertItem item, Instant at) {
    if (items.putIfAbsent(item.finding(), item) != null) {
      return false;
    }
    allAgents.addAll(item.agents());
    if (item.isOpen()) {
      open++;
    }
    Severity s = Severity.of(item.severity());
    if (s != null && s.ordinal() > severity.ordinal()) {
      severity = s;
    }
    touch(at);
    return true;
  }

  /** Resolves an open finding; the resolved item, or null when it is not open here. */
  AlertItem resolve(String finding, Instant at, String reason) {
    AlertItem item = items.get(finding);
    if (item == null || !item.isOpen()) {
      return null;
    }
    AlertItem done = item.resolved(at, reason);
    items.put(finding, done);
    open--;
    touch(at);
    return done;
  }

  void close(Instant at, String reason) {
    resolvedAt = at;
    resolution = reason;
    touch(at);
  }

  private void touch(Instant at) {
    if (at != null && (updatedAt == null || at.isAfter(updatedAt))) {
      updatedAt = at;
    }
  }

  AlertView view() {
    List<AlertItem> all = List.copyOf(items.values());
    List<String> evidence = new ArrayList<>();
    for (AlertItem i : all) {
      // The first finding shows the most; each later one adds its trigger (its last piece of evidence).
      List<String> mine = evidence.isEmpty() ? i.evidence() : i.evidence().isEmpty() ? List.of()
          : List.of(i.evidence().getLast());
      for (String id : mine) {
        if (evidence.size() < AlertDraft.MAX_EVIDENCE && !evidence.contains(id)) {
          evidence.add(id);
        }
      }
    }
    List<String> agents = allAgents.stream().limit(AlertView.MAX_AGENTS).toList();
    return new AlertView(seq, id, detector, key, severity.label(), isOpen() ? AlertView.OPEN : AlertView.RESOLVED,
        runId, agents, evidence, message(all), raisedAt, updatedAt, resolvedAt, resolution, acknowledgedAt,
        acknowledgedBy, all.size(), open, all.size() > AlertView.MAX_ITEMS ? all.subList(0, AlertView.MAX_ITEMS) : all,
        actions);
  }

  /** One finding speaks for itself; several are counted, named, and the latest told. */
  private String message(List<AlertItem> all) {
    if (all.isEmpty()) {
      return "";
    }
    if (all.size() == 1 && !summary) {
      return all.getFirst().message();
    }
    List<String> labels = new ArrayList<>();
    for (AlertItem i : all) {
      if (labels.size() == MAX_LABELS) {
        break;
      }
      labels.add(summary ? i.detector() + " " + i.label() + (i.runId() == null ? "" : " in run " + i.runId())
          : i.label());
    }
    String named = String.join(", ", labels) + (all.size() > MAX_LABELS ? " and " + (all.size() - MAX_LABELS)
        + " more" : "");
    if (summary) {
      return all.size() + " finding" + (all.size() == 1 ? " was" : "s were") + " not raised as alerts of their own"
          + " because the tenant's rate of new alerts was exceeded (" + open + " still open): " + named
          + ". Latest: " + all.getLast().message();
    }
    return all.size() + " " + noun(detector) + " in " + (runId == null ? "no run" : "run " + runId) + " (" + open
        + " open): " + named + ". Latest: " + all.getLast().message();
  }

  private static String noun(String detector) {
    return switch (detector) {
      case "routing_loop" -> "routing loops";
      case "stuck_task" -> "stuck tasks";
      case "lost_agent" -> "lost agents";
      case "resource_hoarding" -> "agents hoarding tasks";
      case "communication_cascade" -> "message cascades";
      case "inconsistent_agent" -> "inconsistencies";
      case "anomaly" -> "anomalies";
      case "budget" -> "budget findings";
      default -> detector.replace('_', ' ').toLowerCase(Locale.ROOT) + " findings";
    };
  }
}
