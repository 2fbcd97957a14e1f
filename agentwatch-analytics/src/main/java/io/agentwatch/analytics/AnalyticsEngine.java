package io.agentwatch.analytics;

import io.agentwatch.analytics.budget.BudgetDetector;
import io.agentwatch.analytics.detect.AnomalyDetector;
import io.agentwatch.analytics.detect.CommunicationCascadeDetector;
import io.agentwatch.analytics.detect.InconsistentAgentDetector;
import io.agentwatch.analytics.detect.LostAgentDetector;
import io.agentwatch.analytics.detect.ResourceHoardingDetector;
import io.agentwatch.analytics.detect.RoutingLoopDetector;
import io.agentwatch.analytics.detect.StuckTaskDetector;
import io.agentwatch.model.Event;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The analytics of every tenant: one {@link TenantAnalytics} each, so a tenant's alerts and
 * graphs are made from its own events only. Deterministic like each tenant's part; not
 * thread-safe.
 */
public final class AnalyticsEngine {

  /** The detector names alerts carry (API.md). */
  public static final List<String> DETECTORS = List.of(RoutingLoopDetector.NAME, StuckTaskDetector.NAME,
      LostAgentDetector.NAME, ResourceHoardingDetector.NAME, CommunicationCascadeDetector.NAME,
      InconsistentAgentDetector.NAME, AnomalyDetector.NAME, BudgetDetector.NAME);

  private final AnalyticsConfig config;
  private final Map<String, TenantAnalytics> tenants = new HashMap<>();

  public AnalyticsEngine(AnalyticsConfig config) {
    this.config = config;
  }

  /** Applies one event of {@code tenant} in log order; returns the alert events to append for it. */
  public List<Event> apply(String tenant, Event e, Instant receivedAt) {
    return tenants.computeIfAbsent(tenant, t -> new TenantAnalytics(config)).apply(e, receivedAt);
  }

  /**
   * A wall-clock tick: moves each tenant's event time to its {@link TenantAnalytics#liveTime}, so
   * deadlines fire even while a tenant sends nothing. Returns the alert events per tenant (tenants
   * in name order, only those with alerts).
   */
  public Map<String, List<Event>> tick(Instant wallNow) {
    Map<String, List<Event>> out = new LinkedHashMap<>();
    new TreeMap<>(tenants).forEach((tenant, analytics) -> {
      Instant t = analytics.liveTime(wallNow);
      if (t != null) {
        List<Event> alerts = analytics.advanceTo(t);
        if (!alerts.isEmpty()) {
          out.put(tenant, alerts);
        }
      }
    });
    return out;
  }

  /** The tenant's analytics, or null when it has sent no event yet. */
  public TenantAnalytics tenant(String tenant) {
    return tenants.get(tenant);
  }

  public AnalyticsConfig config() {
    return config;
  }
}
