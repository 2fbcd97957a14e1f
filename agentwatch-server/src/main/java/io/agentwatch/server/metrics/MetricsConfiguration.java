package io.agentwatch.server.metrics;

import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.core.rollup.InMemoryRollupStore;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The rollups of the embedded deployment: in memory, fed by the analytics follower (which reads
 * every event of the log, replaying it from the beginning at each start), and as current as the
 * follower's position. With {@code agentwatch.store=postgres} the rollups are PostgreSQL's instead
 * ({@code cluster.PostgresConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
public class MetricsConfiguration {

  /** A run's minute buckets cover its last six hours, its hour buckets its last week; older ones are dropped. */
  static final Duration KEEP_MINUTES = Duration.ofHours(6);
  static final Duration KEEP_HOURS = Duration.ofDays(7);

  /** Declared as the in-memory type: the analytics follower feeds a store of this type only. */
  @Bean
  InMemoryRollupStore inMemoryRollupStore() {
    return new InMemoryRollupStore(KEEP_MINUTES, KEEP_HOURS);
  }

  @Bean
  RollupsAsOf followerRollupsAsOf(AnalyticsFollower follower) {
    return follower::position;
  }
}
