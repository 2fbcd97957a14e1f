package io.agentwatch.analytics;

import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.analytics.detect.AnomalyDetector;
import io.agentwatch.analytics.detect.CommunicationCascadeDetector;
import io.agentwatch.analytics.detect.InconsistentAgentDetector;
import io.agentwatch.analytics.detect.LostAgentDetector;
import io.agentwatch.analytics.detect.ResourceHoardingDetector;
import io.agentwatch.analytics.detect.RoutingLoopDetector;
import io.agentwatch.analytics.detect.StuckTaskDetector;
import io.agentwatch.analytics.graph.GraphAnalysis;
import java.util.Objects;

/**
 * Every threshold of the analytics, each part validated by its own record; {@link #DEFAULTS} is
 * what the server runs with unless configured otherwise.
 *
 * @param parentMemory how many recent events per tenant are remembered to link a child event to
 *                     its parent's agent
 * @param endedTaskMemory how many ended tasks per tenant are remembered to recognise a repeated
 *                     completion (open tasks are always remembered)
 * @param alerts       grouping and flood control of the alerts
 */
public record AnalyticsConfig(
    RoutingLoopDetector.Config routingLoop,
    StuckTaskDetector.Config stuckTask,
    LostAgentDetector.Config lostAgent,
    ResourceHoardingDetector.Config resourceHoarding,
    CommunicationCascadeDetector.Config communicationCascade,
    InconsistentAgentDetector.Config inconsistentAgent,
    AnomalyDetector.Config anomaly,
    GraphAnalysis.Limits graph,
    int parentMemory,
    int endedTaskMemory,
    AlertIssuer.Config alerts) {

  public static final AnalyticsConfig DEFAULTS = new AnalyticsConfig(
      RoutingLoopDetector.Config.DEFAULTS, StuckTaskDetector.Config.DEFAULTS, LostAgentDetector.Config.DEFAULTS,
      ResourceHoardingDetector.Config.DEFAULTS, CommunicationCascadeDetector.Config.DEFAULTS,
      InconsistentAgentDetector.Config.DEFAULTS, AnomalyDetector.Config.DEFAULTS,
      GraphAnalysis.Limits.DEFAULTS, 100_000, 100_000, AlertIssuer.Config.DEFAULTS);

  /** This configuration with other grouping and flood control. */
  public AnalyticsConfig with(AlertIssuer.Config alerts) {
    return new AnalyticsConfig(routingLoop, stuckTask, lostAgent, resourceHoarding, communicationCascade,
        inconsistentAgent, anomaly, graph, parentMemory, endedTaskMemory, alerts);
  }

  public AnalyticsConfig {
    Objects.requireNonNull(routingLoop, "routingLoop");
    Objects.requireNonNull(stuckTask, "stuckTask");
    Objects.requireNonNull(lostAgent, "lostAgent");
    Objects.requireNonNull(resourceHoarding, "resourceHoarding");
    Objects.requireNonNull(communicationCascade, "communicationCascade");
    Objects.requireNonNull(inconsistentAgent, "inconsistentAgent");
    Objects.requireNonNull(anomaly, "anomaly");
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(alerts, "alerts");
    if (parentMemory < 1) {
      throw new IllegalArgumentException("parentMemory must be at least 1 but was " + parentMemory);
    }
    if (endedTaskMemory < 1) {
      throw new IllegalArgumentException("endedTaskMemory must be at least 1 but was " + endedTaskMemory);
    }
  }
}
