package io.agentwatch.server.cluster;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.InMemoryIdLedger;
import io.agentwatch.kafka.KafkaEventLog;
import io.agentwatch.kafka.KafkaLogConfig;
import io.agentwatch.kafka.KafkaPersister;
import io.agentwatch.redis.RedisConnections;
import io.agentwatch.redis.RedisIdLedger;
import io.agentwatch.server.resilience.GuardedIdLedger;
import io.agentwatch.server.resilience.BackendGuard;
import io.agentwatch.server.resilience.GuardedEventLog;
import io.agentwatch.server.resilience.GuardedEventSink;
import io.agentwatch.server.resilience.ResilienceSettings;
import io.agentwatch.storage.postgres.PostgresDatabase;
import io.agentwatch.storage.postgres.PostgresEventSink;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code agentwatch.log=kafka} (with {@code agentwatch.store=postgres}): the log is a Kafka topic
 * behind the {@code kafka} circuit breaker. Every node appends to it and tails all of it; the
 * PostgreSQL history is written by a consumer group ({@link KafkaPersister}) whose members share
 * the partitions among the nodes, so each event is written once whichever node took it in.
 * Event ids are reserved in Redis when it is configured (several nodes); without it only within
 * this node, which is right for one node only.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "agentwatch.log", havingValue = "kafka")
public class KafkaConfiguration {

  static final String BACKEND = "kafka";
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConfiguration.class);

  @Bean
  KafkaLogConfig kafkaLogConfig(KafkaProperties properties, @Value("${server.port:8080}") int port) {
    return properties.toConfig(port);
  }

  @Bean
  BackendGuard kafkaGuard(ResilienceSettings settings, Clock clock) {
    return new BackendGuard(BACKEND, settings, clock);
  }

  /** Where event ids are reserved before each write: Redis, shared by the nodes, when configured. */
  @Bean(destroyMethod = "close")
  IdLedger kafkaIdLedger(KafkaProperties properties, ObjectProvider<RedisConnections> redis,
      @Qualifier("redisGuard") ObjectProvider<BackendGuard> redisGuard, Clock clock) {
    RedisConnections shared = redis.getIfAvailable();
    if (shared != null) {
      return new GuardedIdLedger(new RedisIdLedger(shared, properties.idReservation(), properties.idRetention()),
          redisGuard.getObject());
    }
    LOG.warn("agentwatch.log=kafka without agentwatch.redis-url: event ids are deduplicated within this node only;"
        + " run one node, or set AGENTWATCH_REDIS_URL so a retry through another node is stored once");
    return new InMemoryIdLedger(clock, properties.idReservation(), properties.idRetention());
  }

  @Bean(destroyMethod = "close")
  EventLog kafkaEventLog(KafkaLogConfig config, IdLedger kafkaIdLedger, Clock clock,
      @Qualifier("kafkaGuard") BackendGuard guard) {
    return new GuardedEventLog(KafkaEventLog.open(config, kafkaIdLedger, clock), guard);
  }

  /** Writes the topic into the PostgreSQL history; committed offsets only after the write. */
  @Bean(destroyMethod = "close")
  KafkaPersister kafkaPersister(KafkaProperties properties, KafkaLogConfig config, PostgresDatabase db, Clock clock,
      @Qualifier("postgresGuard") BackendGuard postgres, MeterRegistry registry) {
    KafkaPersister persister = KafkaPersister.start(properties.persisterConfig(config),
        new GuardedEventSink(new PostgresEventSink(db, clock), postgres), clock);
    Gauge.builder("agentwatch.history.lag", persister, KafkaPersister::lag)
        .description("events of this node's partitions not yet written into the PostgreSQL history")
        .register(registry);
    return persister;
  }

  /** The history writer in health ({@code historyWriter}), with its lag; not part of readiness. */
  @Bean
  HealthIndicator historyWriterHealthIndicator(KafkaPersister persister) {
    return () -> {
      try {
        persister.check();
        return Health.up().withDetail("lag", persister.lag()).withDetail("written", persister.written())
            .withDetail("deadLettered", persister.deadLettered()).build();
      } catch (RuntimeException e) {
        return Health.down().withDetail("reason", String.valueOf(e.getMessage())).build();
      }
    };
  }
}
