package io.agentwatch.analytics.alert;

import io.agentwatch.core.Digests;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code alert.*} events: their types, their deterministic ids, and how they are built.
 *
 * <p>Ids are derived, never random: a raised alert's id hashes (detector, key, cause) of its first
 * finding, an update's hashes the alert and what changed, a resolution's the alert, a flood
 * summary's its first finding, and an acknowledgement's (alert, who). Running the analytics twice
 * over the same log therefore makes the same events, and appending one again is a duplicate the
 * log ignores.
 *
 * <p>Every event carries the alert's current summary ({@code severity}, {@code agents},
 * {@code evidence}, {@code message}, {@code count}, {@code open}) so that a webhook receives the
 * grouped form whole; {@code raised} and {@code suppressed} carry their first finding in
 * {@code items}, {@code updated} the findings {@code added} and {@code resolvedItems} since the
 * last event of the alert, {@code resolved} the last changes likewise.
 */
public final class AlertEvents {

  public static final String RAISED = "alert.raised";
  public static final String UPDATED = "alert.updated";
  public static final String RESOLVED = "alert.resolved";
  public static final String SUPPRESSED = "alert.suppressed";
  public static final String ACKNOWLEDGED = "alert.acknowledged";
  public static final String PREFIX = "alert.";

  /** The agent id on raised and resolved alerts: the analytics speaks about agents, it is not one. */
  public static final String ANALYTICS_AGENT = "agentwatch-analytics";
  /** The agent id on acknowledgements, which people make through the API. */
  public static final String API_AGENT = "agentwatch-api";
  /** The detector name of the flood summary, which holds the findings past the tenant's rate. */
  public static final String FLOOD_CONTROL = "flood_control";

  private AlertEvents() {}

  /** Whether {@code type} is one of the analytics' own event types (never an input to it). */
  public static boolean isAlert(String type) {
    return type.startsWith(PREFIX);
  }

  public static String raisedId(String detector, String key, String cause) {
    return "alert-" + hash(detector + '\u0000' + key + '\u0000' + cause);
  }

  public static String resolvedId(String alertId) {
    return "alert-r-" + hash(alertId);
  }

  public static String acknowledgedId(String alertId, String by) {
    return "alert-a-" + hash(alertId + '\u0000' + (by == null ? "" : by));
  }

  static String suppressedId(String findingId) {
    return "alert-s-" + hash(findingId);
  }

  static String updatedId(String alertId, List<AlertItem> added, List<AlertItem> resolved) {
    StringBuilder sb = new StringBuilder(alertId);
    added.forEach(i -> sb.append('\u0000').append('+').append(i.finding()));
    resolved.forEach(i -> sb.append('\u0000').append('-').append(i.finding()));
    return "alert-u-" + hash(sb.toString());
  }

  /** 40 hex digits (160 bits) of SHA-256: ids stay within the 64 characters an event id may have. */
  private static String hash(String text) {
    return Digests.sha256Hex(text).substring(0, 40);
  }

  /** A new alert of one finding, grouping the detector's findings in the finding's run. */
  public static Event raised(AlertDraft first) {
    AlertItem item = first.item();
    AlertEntry entry = AlertEntry.of(item.finding(), first.detector(), runKey(first.runId()), first.runId(), false,
        item, first.ts());
    ObjectNode data = summary(entry);
    data.set("items", items(List.of(item)));
    return new Event(entry.id, RAISED, ANALYTICS_AGENT, first.runId(), first.ts(), parentOf(first.evidence()), null,
        data);
  }

  /** The flood summary, raised with the first finding past the tenant's rate of new alerts. */
  static Event suppressed(AlertDraft first, int limit) {
    AlertItem item = first.item();
    String id = suppressedId(item.finding());
    AlertEntry entry = AlertEntry.of(id, FLOOD_CONTROL, "", null, true, item, first.ts());
    ObjectNode data = summary(entry);
    data.put("limitPerMinute", limit);
    data.set("items", items(List.of(item)));
    return new Event(id, SUPPRESSED, ANALYTICS_AGENT, null, first.ts(), parentOf(first.evidence()), null, data);
  }

  /** What changed in an open alert since its last event: findings added and resolved. */
  static Event updated(AlertEntry entry, List<AlertItem> added, List<AlertItem> resolved, Instant ts) {
    ObjectNode data = summary(entry);
    data.set("added", items(added));
    data.set("resolvedItems", items(resolved));
    return new Event(updatedId(entry.id, added, resolved), UPDATED, ANALYTICS_AGENT, entry.runId, ts, entry.id, null,
        data);
  }

  /**
   * The alert is over: its last open finding resolved.
   *
   * @param added    findings added since its last event (already resolved, or the one that ends it)
   * @param resolved findings resolved since its last event, the last one included
   */
  static Event resolved(AlertEntry entry, String reason, List<String> evidence, Instant ts, List<AlertItem> added,
      List<AlertItem> resolved) {
    ObjectNode data = summary(entry);
    data.set("evidence", strings(evidence));
    data.put("reason", reason);
    data.set("added", items(added));
    data.set("resolvedItems", items(resolved));
    return new Event(resolvedId(entry.id), RESOLVED, ANALYTICS_AGENT, entry.runId, ts, entry.id, null, data);
  }

  /**
   * A person's acknowledgement of an alert.
   *
   * @param by the key id of who acknowledged, or null when auth is off
   */
  public static Event acknowledged(AlertView alert, String by, String note, Instant ts) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("alertId", alert.id());
    data.put("detector", alert.detector());
    data.put("by", by);
    if (note != null) {
      data.put("note", note);
    }
    return new Event(acknowledgedId(alert.id(), by), ACKNOWLEDGED, API_AGENT, alert.runId(), ts, alert.id(), null,
        data);
  }

  private static ObjectNode summary(AlertEntry entry) {
    AlertView v = entry.view();
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("alertId", v.id());
    data.put("detector", v.detector());
    data.put("key", v.key());
    data.put("grouped", true);
    data.put("severity", v.severity());
    data.put("runId", v.runId());
    data.set("agents", strings(v.agents()));
    data.set("evidence", strings(v.evidence()));
    data.put("message", v.message());
    data.put("count", v.count());
    data.put("open", v.open());
    return data;
  }

  static String runKey(String runId) {
    return runId == null ? "" : runId;
  }

  /** The triggering event (the last piece of evidence) is the alert's causal parent. */
  private static String parentOf(List<String> evidence) {
    return evidence.isEmpty() ? null : evidence.getLast();
  }

  static ArrayNode items(List<AlertItem> items) {
    ArrayNode array = EventCodec.JSON.createArrayNode();
    for (AlertItem i : items) {
      ObjectNode n = array.addObject();
      n.put("finding", i.finding());
      n.put("detector", i.detector());
      n.put("key", i.key());
      n.put("label", i.label());
      n.put("severity", i.severity());
      n.put("runId", i.runId());
      n.set("agents", strings(i.agents()));
      n.set("evidence", strings(i.evidence()));
      n.put("message", i.message());
      n.put("ts", i.raisedAt().toString());
      if (i.facts() != null) {
        n.set("facts", i.facts());
      }
      if (!i.isOpen()) {
        n.put("resolvedAt", i.resolvedAt().toString());
        n.put("reason", i.resolution());
      }
    }
    return array;
  }

  /** The items of an event's array (resolved ones carry {@code resolvedAt} and {@code reason}). */
  static List<AlertItem> items(JsonNode array) {
    List<AlertItem> out = new ArrayList<>();
    if (array == null || !array.isArray()) {
      return out;
    }
    for (JsonNode n : array) {
      JsonNode facts = n.get("facts");
      String resolvedAt = text(n, "resolvedAt");
      out.add(new AlertItem(text(n, "finding"), text(n, "detector"), text(n, "key"), text(n, "label"),
          text(n, "severity"), text(n, "runId"), strings(n.get("agents")), strings(n.get("evidence")),
          text(n, "message"), Instant.parse(text(n, "ts")), facts == null || facts.isNull() ? null : facts,
          resolvedAt == null ? AlertView.OPEN : AlertView.RESOLVED,
          resolvedAt == null ? null : Instant.parse(resolvedAt), text(n, "reason")));
    }
    return out;
  }

  static String text(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  static List<String> strings(JsonNode array) {
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(n.asString()));
    return List.copyOf(out);
  }

  static ArrayNode strings(List<String> values) {
    ArrayNode array = EventCodec.JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }
}
