package io.agentwatch.server.analytics;

import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.rollup.InMemoryRollupStore;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqlitePositionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the stream analytics: the follower over the log, its saved position (in PostgreSQL with
 * {@code agentwatch.store=postgres}, see {@code cluster.PostgresConfiguration}), the in-memory
 * rollups it feeds in the embedded deployment ({@code metrics.MetricsConfiguration}), and its metrics.
 */
@Configuration(proxyBeanMethods = false)
public class AnalyticsConfiguration {

  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  PositionStore positionStore(SqliteDatabase database) {
    return new SqlitePositionStore(database);
  }

  /** Started here and, depending on the log, closed before it: its last save covers what it appended. */
  @Bean(destroyMethod = "close")
  AnalyticsFollower analyticsFollower(EventLog log, PositionStore positions, Clock clock,
      AnalyticsProperties properties, MeterRegistry registry, ObjectProvider<InMemoryRollupStore> ownRollups) {
    AnalyticsFollower follower = new AnalyticsFollower(log, positions, new AnalyticsEngine(properties.config()),
        clock, properties.tick());
    // Rollups in memory are this node's to keep; PostgreSQL's are kept by the log's own transactions.
    ownRollups.ifAvailable(follower::feeding);
    follower.start();
    Gauge.builder("agentwatch.analytics.caught.up", follower, f -> f.caughtUp() ? 1 : 0)
        .description("1 once the analytics replayed the log up to where it stopped before the last start")
        .register(registry);
    return follower;
  }
}
