package io.agentwatch.analytics.alert;

import io.agentwatch.core.Digests;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code alert.*} events: their types, their deterministic ids, and how they are built.
 *
 * <p>Ids are derived, never random: a raised alert's id hashes (detector, key, cause), a
 * resolution's id hashes the alert's id, and an acknowledgement's hashes (alert, who). Running the
 * analytics twice over the same log therefore makes the same events, and appending one again is a
 * duplicate the log ignores.
 */
public final class AlertEvents {

  public static final String RAISED = "alert.raised";
  public static final String RESOLVED = "alert.resolved";
  public static final String ACKNOWLEDGED = "alert.acknowledged";
  public static final String PREFIX = "alert.";

  /** The agent id on raised and resolved alerts: the analytics speaks about agents, it is not one. */
  public static final String ANALYTICS_AGENT = "agentwatch-analytics";
  /** The agent id on acknowledgements, which people make through the API. */
  public static final String API_AGENT = "agentwatch-api";

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

  /** 40 hex digits (160 bits) of SHA-256: ids stay within the 64 characters an event id may have. */
  private static String hash(String text) {
    return Digests.sha256Hex(text).substring(0, 40);
  }

  public static Event raised(AlertDraft d) {
    String id = raisedId(d.detector(), d.key(), d.cause());
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("alertId", id);
    data.put("detector", d.detector());
    data.put("key", d.key());
    data.put("severity", d.severity().label());
    data.put("runId", d.runId());
    data.set("agents", strings(d.agents()));
    data.set("evidence", strings(d.evidence()));
    data.put("message", d.message());
    return new Event(id, RAISED, ANALYTICS_AGENT, d.runId(), d.ts(), parentOf(d.evidence()), null, data);
  }

  public static Event resolved(AlertView alert, String reason, List<String> evidence, Instant ts) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("alertId", alert.id());
    data.put("detector", alert.detector());
    data.put("key", alert.key());
    data.put("severity", alert.severity());
    data.put("runId", alert.runId());
    data.set("agents", strings(alert.agents()));
    data.set("evidence", strings(evidence));
    data.put("message", alert.message());
    data.put("reason", reason);
    return new Event(resolvedId(alert.id()), RESOLVED, ANALYTICS_AGENT, alert.runId(), ts, alert.id(), null, data);
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

  /** The triggering event (the last piece of evidence) is the alert's causal parent. */
  private static String parentOf(List<String> evidence) {
    return evidence.isEmpty() ? null : evidence.getLast();
  }

  private static ArrayNode strings(List<String> values) {
    ArrayNode array = EventCodec.JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }
}
