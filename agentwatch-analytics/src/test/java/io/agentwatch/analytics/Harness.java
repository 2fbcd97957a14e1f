package io.agentwatch.analytics;

import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.model.Event;
import tools.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Feeds events of one tenant to an engine the way the follower does, and keeps what it raised. */
public final class Harness {

  public static final String TENANT = "t1";

  public final AnalyticsEngine engine;
  public final List<Event> alerts = new ArrayList<>();

  public Harness() {
    this(AnalyticsConfig.DEFAULTS);
  }

  public Harness(AnalyticsConfig config) {
    this.engine = new AnalyticsEngine(config);
  }

  public Harness feed(List<Event> events) {
    for (Event e : events) {
      alerts.addAll(engine.apply(TENANT, e, e.ts()));
    }
    return this;
  }

  /** A tick at event time {@code t} (as if the wall clock said so and events arrived on time). */
  public Harness tick(Instant t) {
    alerts.addAll(engine.tenant(TENANT).advanceTo(t));
    return this;
  }

  public List<Event> raised(String detector) {
    return alerts.stream().filter(a -> a.type().equals(AlertEvents.RAISED))
        .filter(a -> a.data().get("detector").stringValue().equals(detector)).toList();
  }

  public List<Event> resolved(String detector) {
    return alerts.stream().filter(a -> a.type().equals(AlertEvents.RESOLVED))
        .filter(a -> a.data().get("detector").stringValue().equals(detector)).toList();
  }

  public List<Event> raised() {
    return alerts.stream().filter(a -> a.type().equals(AlertEvents.RAISED)).toList();
  }

  /**
   * Every finding the alert events told of (the items of raised, updated, resolved and suppressed
   * alerts), each once, in the order they were told.
   */
  public List<JsonNode> findings() {
    java.util.LinkedHashMap<String, JsonNode> found = new java.util.LinkedHashMap<>();
    for (Event a : alerts) {
      for (String field : List.of("items", "added")) {
        JsonNode items = a.data().get(field);
        if (items != null) {
          items.forEach(i -> found.putIfAbsent(i.get("finding").stringValue(), i));
        }
      }
    }
    return List.copyOf(found.values());
  }

  public List<JsonNode> findings(String detector) {
    return findings().stream().filter(f -> f.get("detector").stringValue().equals(detector)).toList();
  }

  public static List<String> agents(JsonNode finding) {
    return finding.get("agents").valueStream().map(n -> n.stringValue()).toList();
  }

  public static String message(JsonNode finding) {
    return finding.get("message").stringValue();
  }

  public TenantAnalytics tenant() {
    return engine.tenant(TENANT);
  }

  public static List<String> agents(Event alert) {
    return alert.data().get("agents").valueStream().map(n -> n.stringValue()).toList();
  }

  public static List<String> evidence(Event alert) {
    return alert.data().get("evidence").valueStream().map(n -> n.stringValue()).toList();
  }

  public static String message(Event alert) {
    return alert.data().get("message").stringValue();
  }
}
