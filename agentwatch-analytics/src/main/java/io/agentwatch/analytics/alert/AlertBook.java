package io.agentwatch.analytics.alert;

import io.agentwatch.model.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * One tenant's alerts: a fold of its {@code alert.*} events in log order, and so rebuildable from
 * the log. Applying an event twice changes nothing (events are keyed by their ids), which lets the
 * analytics apply its own alerts at once and again when it reads them back from the log.
 *
 * <p>Not thread-safe; the owner guards it.
 */
public final class AlertBook {

  /** Which alerts a listing wants; null fields do not restrict. */
  public record Query(String runId, String agentId, String detector, String state, String after, int limit) {

    public Query {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1 but was " + limit);
      }
      if (state != null && !state.equals(AlertView.OPEN) && !state.equals(AlertView.RESOLVED)) {
        throw new IllegalArgumentException("state must be open or resolved but was '" + state + "'");
      }
    }
  }

  /** One page of alerts in log order and the token of the next page, or null. */
  public record Page(List<AlertView> alerts, String next) {}

  private static final String TOKEN_PREFIX = "a1.";

  private final Map<String, AlertView> byId = new LinkedHashMap<>();
  private final Map<String, String> openByKey = new HashMap<>();
  private final List<String> order = new ArrayList<>();
  private final Set<String> seenEvents = new HashSet<>();

  /** Applies an {@code alert.*} event; other events and repeats are ignored. */
  public void apply(Event e) {
    if (!AlertEvents.isAlert(e.type()) || !seenEvents.add(e.id())) {
      return;
    }
    JsonNode data = e.data();
    switch (e.type()) {
      case AlertEvents.RAISED -> raise(e, data);
      case AlertEvents.RESOLVED -> {
        AlertView alert = byId.get(text(data, "alertId"));
        if (alert != null && alert.isOpen()) {
          byId.put(alert.id(), alert.resolved(e.ts(), text(data, "reason")));
          openByKey.remove(openKey(alert.detector(), alert.key()), alert.id());
        }
      }
      case AlertEvents.ACKNOWLEDGED -> {
        AlertView alert = byId.get(text(data, "alertId"));
        if (alert != null && !alert.acknowledged()) {
          byId.put(alert.id(), alert.acknowledged(e.ts(), text(data, "by")));
        }
      }
      default -> { }
    }
  }

  private void raise(Event e, JsonNode data) {
    String id = e.id();
    if (byId.containsKey(id)) {
      return;
    }
    String detector = text(data, "detector");
    String key = text(data, "key");
    AlertView alert = new AlertView(order.size(), id, detector, key, text(data, "severity"), AlertView.OPEN,
        text(data, "runId"), strings(data.get("agents")), strings(data.get("evidence")), text(data, "message"),
        e.ts(), null, null, null, null);
    byId.put(id, alert);
    order.add(id);
    openByKey.put(openKey(detector, key), id);
  }

  /** The open alert of (detector, key), or null. */
  public AlertView open(String detector, String key) {
    String id = openByKey.get(openKey(detector, key));
    return id == null ? null : byId.get(id);
  }

  public AlertView get(String alertId) {
    return byId.get(alertId);
  }

  public boolean knows(String alertId) {
    return byId.containsKey(alertId);
  }

  public int size() {
    return order.size();
  }

  /** Every alert in log order. */
  public List<AlertView> all() {
    List<AlertView> all = new ArrayList<>(order.size());
    order.forEach(id -> all.add(byId.get(id)));
    return all;
  }

  /**
   * A page of the alerts matching {@code q}, in log order, starting after the page token
   * {@code q.after()}.
   *
   * @throws IllegalArgumentException when {@code after} is not a token of this listing
   */
  public Page list(Query q) {
    int from = q.after() == null ? 0 : decode(q.after()) + 1;
    List<AlertView> page = new ArrayList<>();
    for (int i = Math.max(0, from); i < order.size(); i++) {
      AlertView a = byId.get(order.get(i));
      if (matches(a, q)) {
        if (page.size() == q.limit()) {
          return new Page(page, encode(page.getLast().seq()));
        }
        page.add(a);
      }
    }
    return new Page(page, null);
  }

  private static boolean matches(AlertView a, Query q) {
    return (q.runId() == null || q.runId().equals(a.runId()))
        && (q.agentId() == null || a.agents().contains(q.agentId()))
        && (q.detector() == null || q.detector().equals(a.detector()))
        && (q.state() == null || q.state().equals(a.state()));
  }

  private static String encode(long seq) {
    return TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Long.toString(seq).getBytes(StandardCharsets.UTF_8));
  }

  private static int decode(String token) {
    try {
      if (!token.startsWith(TOKEN_PREFIX)) {
        throw new IllegalArgumentException();
      }
      String raw = new String(Base64.getUrlDecoder().decode(token.substring(TOKEN_PREFIX.length())),
          StandardCharsets.UTF_8);
      int seq = Integer.parseInt(raw);
      if (seq < 0) {
        throw new IllegalArgumentException();
      }
      return seq;
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("after must be the 'next' token of a previous page but was '" + token + "'");
    }
  }

  private static String openKey(String detector, String key) {
    return detector + '\u0000' + key;
  }

  private static String text(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v == null || v.isNull() ? null : v.asString();
  }

  private static List<String> strings(JsonNode array) {
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(n.asString()));
    return List.copyOf(out);
  }
}
