package io.agentwatch.server.analytics;

import io.agentwatch.analytics.AnalyticsConfig;
import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.analytics.detect.AnomalyDetector;
import io.agentwatch.analytics.detect.CommunicationCascadeDetector;
import io.agentwatch.analytics.detect.InconsistentAgentDetector;
import io.agentwatch.analytics.detect.LostAgentDetector;
import io.agentwatch.analytics.detect.ResourceHoardingDetector;
import io.agentwatch.analytics.detect.RoutingLoopDetector;
import io.agentwatch.analytics.detect.StuckTaskDetector;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code agentwatch.analytics.*} settings (each with its {@code AGENTWATCH_ANALYTICS_*}
 * override in {@code application.yml}): the most used thresholds of the detectors. A setting
 * left out keeps the analytics' default; every value is validated by the detector's own config.
 *
 * @param tick wall time between liveness ticks (0 = off): they let stuck tasks and lost agents be
 *             reported while a tenant sends nothing (see {@code AnalyticsFollower})
 */
@ConfigurationProperties("agentwatch.analytics")
public record AnalyticsProperties(
    Duration tick,
    Duration stuckTaskTimeout,
    Duration heartbeatInterval,
    Integer missedHeartbeats,
    Duration loopWindow,
    Integer loopMinRounds,
    Integer hoardingMinOpenTasks,
    Duration hoardingHoldFor,
    Duration cascadeWindow,
    Integer cascadeMinMessages,
    Integer cascadeMinRecipients,
    Integer flapChanges,
    Duration flapWindow,
    Duration anomalyBucket,
    Double anomalyZThreshold,
    Integer anomalyWarmupBuckets,
    Duration alertUpdateEvery,
    Integer newAlertsPerMinute) {

  public AnalyticsProperties {
    if (tick == null) {
      tick = Duration.ofSeconds(5);
    }
    if (tick.isNegative()) {
      throw new IllegalArgumentException("agentwatch.analytics.tick must be 0 or positive but was " + tick);
    }
  }

  /** The analytics' configuration: the defaults with these settings applied. */
  AnalyticsConfig config() {
    AnalyticsConfig d = AnalyticsConfig.DEFAULTS;
    RoutingLoopDetector.Config loop = d.routingLoop();
    ResourceHoardingDetector.Config hoarding = d.resourceHoarding();
    CommunicationCascadeDetector.Config cascade = d.communicationCascade();
    InconsistentAgentDetector.Config inconsistent = d.inconsistentAgent();
    AnomalyDetector.Config anomaly = d.anomaly();
    LostAgentDetector.Config lost = d.lostAgent();
    return new AnalyticsConfig(
        new RoutingLoopDetector.Config(or(loopWindow, loop.window()), or(loopMinRounds, loop.minRounds()),
            loop.maxCycleLength()),
        new StuckTaskDetector.Config(or(stuckTaskTimeout, d.stuckTask().timeout())),
        new LostAgentDetector.Config(or(heartbeatInterval, lost.expectedInterval()),
            or(missedHeartbeats, lost.missedBeats())),
        new ResourceHoardingDetector.Config(or(hoardingMinOpenTasks, hoarding.minOpenTasks()),
            hoarding.minIdlePeers(), or(hoardingHoldFor, hoarding.holdFor())),
        new CommunicationCascadeDetector.Config(or(cascadeWindow, cascade.window()),
            or(cascadeMinMessages, cascade.minMessages()), or(cascadeMinRecipients, cascade.minRecipients())),
        new InconsistentAgentDetector.Config(or(flapChanges, inconsistent.flapChanges()),
            or(flapWindow, inconsistent.flapWindow())),
        new AnomalyDetector.Config(or(anomalyBucket, anomaly.bucket()), anomaly.alpha(),
            or(anomalyZThreshold, anomaly.zThreshold()), or(anomalyWarmupBuckets, anomaly.warmupBuckets()),
            anomaly.relativeFloor(), anomaly.floors()),
        d.graph(), d.parentMemory(), d.endedTaskMemory(),
        new AlertIssuer.Config(or(alertUpdateEvery, d.alerts().updateEvery()),
            or(newAlertsPerMinute, d.alerts().newAlertsPerMinute())));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
