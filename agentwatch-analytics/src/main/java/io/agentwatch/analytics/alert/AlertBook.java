package io.agentwatch.analytics.alert;

import io.agentwatch.model.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
 * the log. An alert groups the findings of one detector in one run; a flood summary holds the
 * findings past the tenant's rate of new alerts.
 *
 * <p>Every change is keyed, so applying it twice changes nothing: alerts by id, findings by their
 * derived id. That lets the analytics change the book the moment it finds something (and tell the
 * log about it later, several changes in one {@code alert.updated}), and apply the same change
 * again when it reads its event back from the log.
 *
 * <p>Alerts written before grouping (an {@code alert.raised} without {@code items}) fold into an
 * alert of one finding, so an old log still reads.
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

  private record ItemRef(String alertId, String finding) {}

  private static final String TOKEN_PREFIX = "a1.";

  private final Map<String, AlertEntry> byId = new LinkedHashMap<>();
  private final List<String> order = new ArrayList<>();
  /** (detector, run key) → the open alert grouping that detector's findings in that run. */
  private final Map<String, String> openGroups = new HashMap<>();
  /** (detector, finding key) → where the open finding is. */
  private final Map<String, ItemRef> openItems = new HashMap<>();
  private final Set<String> findings = new HashSet<>();
  private final Set<String> seenEvents = new HashSet<>();
  private String openSummary;

  /** Applies an {@code alert.*} event, or a policy's action about an alert; other events and repeats are ignored. */
  public void apply(Event e) {
    if (!seenEvents.add(e.id())) {
      return;
    }
    JsonNode data = e.data();
    switch (e.type()) {
      case AlertEvents.RAISED, AlertEvents.SUPPRESSED -> raise(e, data);
      case AlertEvents.UPDATED -> {
        AlertEntry entry = byId.get(AlertEvents.text(data, "alertId"));
        if (entry != null) {
          changes(entry, data, e.ts());
        }
      }
      case AlertEvents.RESOLVED -> {
        AlertEntry entry = byId.get(AlertEvents.text(data, "alertId"));
        if (entry != null && entry.isOpen()) {
          changes(entry, data, e.ts());
          close(entry, e.ts(), AlertEvents.text(data, "reason"));
        }
      }
      case AlertEvents.ACKNOWLEDGED -> {
        AlertEntry entry = byId.get(AlertEvents.text(data, "alertId"));
        if (entry != null && entry.acknowledgedAt == null) {
          entry.acknowledgedAt = e.ts();
          entry.acknowledgedBy = AlertEvents.text(data, "by");
        }
      }
      default -> action(e, data);
    }
  }

  private void raise(Event e, JsonNode data) {
    if (byId.containsKey(e.id())) {
      return;
    }
    boolean summary = e.type().equals(AlertEvents.SUPPRESSED);
    String detector = AlertEvents.text(data, "detector");
    String key = AlertEvents.text(data, "key");
    AlertEntry entry = AlertEntry.create(order.size(), e.id(), detector, key, AlertEvents.text(data, "runId"), summary,
        e.ts());
    byId.put(e.id(), entry);
    order.add(e.id());
    List<AlertItem> items = AlertEvents.items(data.get("items"));
    if (items.isEmpty()) {
      // Written before grouping: the alert is its one finding.
      items = List.of(new AlertItem(e.id(), detector, key, key, AlertEvents.text(data, "severity"),
          entry.runId, AlertEvents.strings(data.get("agents")), AlertEvents.strings(data.get("evidence")),
          AlertEvents.text(data, "message"), e.ts(), null, AlertView.OPEN, null, null));
    } else if (summary) {
      openSummary = e.id();
    } else {
      openGroups.put(groupKey(detector, key), e.id());
    }
    items.forEach(i -> addItem(entry, i, e.ts()));
  }

  private void changes(AlertEntry entry, JsonNode data, Instant ts) {
    AlertEvents.items(data.get("added")).forEach(i -> addItem(entry, i, ts));
    JsonNode resolved = data.get("resolvedItems");
    if (resolved != null && resolved.isArray()) {
      for (JsonNode n : resolved) {
        String at = AlertEvents.text(n, "resolvedAt");
        resolveFinding(entry, AlertEvents.text(n, "finding"), at == null ? ts : Instant.parse(at),
            AlertEvents.text(n, "reason"));
      }
    }
  }

  /** A policy's command or recorded match about an alert (events that name an {@code alertId}). */
  private void action(Event e, JsonNode data) {
    String kind = switch (e.type()) {
      case "command.issued" -> "command";
      case "policy.matched" -> "match";
      default -> null;
    };
    String alertId = AlertEvents.text(data, "alertId");
    AlertEntry entry = kind == null || alertId == null ? null : byId.get(alertId);
    if (entry == null) {
      return;
    }
    String agent = kind.equals("command") ? e.agentId() : AlertEvents.text(data, "agentId");
    String type = kind.equals("command") ? AlertEvents.text(data, "type") : AlertEvents.text(data, "action");
    entry.actions.add(new AlertAction(e.id(), kind, AlertEvents.text(data, "policyId"), agent, type,
        AlertEvents.text(data, "outcome"), AlertEvents.text(data, "finding"), e.ts()));
  }

  // ---- changes made by the analytics itself (and by the fold) ----

  /** Adds a finding to an alert; false when the book already knows it. */
  boolean addItem(AlertEntry entry, AlertItem item, Instant at) {
    if (!findings.add(item.finding()) || !entry.add(item, at)) {
      return false;
    }
    if (item.isOpen()) {
      openItems.put(itemKey(item.detector(), item.key()), new ItemRef(entry.id, item.finding()));
    }
    return true;
  }

  /** Resolves the open finding of (detector, key); the resolved item, or null when none is open. */
  AlertItem resolveItem(String detector, String key, Instant at, String reason) {
    ItemRef ref = openItems.get(itemKey(detector, key));
    return ref == null ? null : resolveFinding(byId.get(ref.alertId()), ref.finding(), at, reason);
  }

  private AlertItem resolveFinding(AlertEntry entry, String finding, Instant at, String reason) {
    AlertItem done = entry.resolve(finding, at, reason);
    if (done != null) {
      openItems.remove(itemKey(done.detector(), done.key()), new ItemRef(entry.id, finding));
    }
    return done;
  }

  /** Closes an alert: its findings still open resolve with it. */
  void close(AlertEntry entry, Instant at, String reason) {
    for (AlertItem i : List.copyOf(entry.items.values())) {
      if (i.isOpen()) {
        resolveFinding(entry, i.finding(), at, reason);
      }
    }
    entry.close(at, reason);
    openGroups.remove(groupKey(entry.detector, entry.key), entry.id);
    if (entry.id.equals(openSummary)) {
      openSummary = null;
    }
  }

  /** Registers an alert the analytics made (its first event is applied through {@link #apply} too). */
  AlertEntry entry(String alertId) {
    return byId.get(alertId);
  }

  /** The open alert grouping {@code detector}'s findings in run {@code runKey}, or null. */
  AlertEntry openGroup(String detector, String runKey) {
    String id = openGroups.get(groupKey(detector, runKey));
    return id == null ? null : byId.get(id);
  }

  AlertEntry openSummary() {
    return openSummary == null ? null : byId.get(openSummary);
  }

  /** The alert holding the open finding of (detector, key), or null. */
  AlertEntry holderOf(String detector, String key) {
    ItemRef ref = openItems.get(itemKey(detector, key));
    return ref == null ? null : byId.get(ref.alertId());
  }

  boolean knowsFinding(String finding) {
    return findings.contains(finding);
  }

  // ---- reading ----

  /** The alert holding the open finding of (detector, key), or null. */
  public AlertView open(String detector, String key) {
    AlertEntry entry = holderOf(detector, key);
    return entry == null ? null : entry.view();
  }

  /** Whether a finding of (detector, key) is open. */
  public boolean isOpen(String detector, String key) {
    return openItems.containsKey(itemKey(detector, key));
  }

  /** An open finding and the alert that holds it. */
  public record OpenItem(String alertId, AlertItem item) {}

  /** The open findings of {@code detector}, in the order their alerts were raised. */
  public List<OpenItem> openItems(String detector) {
    List<OpenItem> out = new ArrayList<>();
    for (String id : order) {
      AlertEntry entry = byId.get(id);
      if (entry.isOpen() && entry.open > 0) {
        entry.items.values().stream().filter(i -> i.isOpen() && i.detector().equals(detector))
            .forEach(i -> out.add(new OpenItem(id, i)));
      }
    }
    return out;
  }

  public AlertView get(String alertId) {
    AlertEntry entry = byId.get(alertId);
    return entry == null ? null : entry.view();
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
    order.forEach(id -> all.add(byId.get(id).view()));
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
      AlertEntry a = byId.get(order.get(i));
      if (matches(a, q)) {
        if (page.size() == q.limit()) {
          return new Page(page, encode(page.getLast().seq()));
        }
        page.add(a.view());
      }
    }
    return new Page(page, null);
  }

  private static boolean matches(AlertEntry a, Query q) {
    return (q.runId() == null || q.runId().equals(a.runId))
        && (q.agentId() == null || a.allAgents.contains(q.agentId()))
        && (q.detector() == null || q.detector().equals(a.detector))
        && (q.state() == null || q.state().equals(a.isOpen() ? AlertView.OPEN : AlertView.RESOLVED));
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

  private static String groupKey(String detector, String runKey) {
    return detector + '\u0000' + runKey;
  }

  private static String itemKey(String detector, String key) {
    return detector + '\u0000' + key;
  }
}
