package io.agentwatch.server.cluster;

import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.auth.TicketStore;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.server.resilience.BackendGuard;
import io.agentwatch.server.webhook.SendingRole;
import io.agentwatch.server.resilience.GuardedEventLog;
import io.agentwatch.server.resilience.GuardedEventStore;
import io.agentwatch.server.resilience.GuardedKeyStore;
import io.agentwatch.server.metrics.RollupsAsOf;
import io.agentwatch.server.resilience.GuardedPositionStore;
import io.agentwatch.server.resilience.GuardedRollupStore;
import io.agentwatch.server.resilience.GuardedTicketStore;
import io.agentwatch.server.resilience.GuardedWebhookStore;
import io.agentwatch.server.resilience.ResilienceSettings;
import io.agentwatch.storage.postgres.PartitionMaintainer;
import io.agentwatch.storage.postgres.PostgresDatabase;
import io.agentwatch.storage.postgres.PostgresEventLog;
import io.agentwatch.storage.postgres.PostgresEventStore;
import io.agentwatch.storage.postgres.PostgresKeyStore;
import io.agentwatch.storage.postgres.PostgresLease;
import io.agentwatch.storage.postgres.PostgresPositionStore;
import io.agentwatch.storage.postgres.PostgresProjectionStore;
import io.agentwatch.storage.postgres.PostgresRollups;
import io.agentwatch.storage.postgres.PostgresTicketStore;
import io.agentwatch.storage.postgres.PostgresWebhookStore;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code agentwatch.store=postgres}: history, keys, stream tickets, webhooks, rollups, the
 * analytics' position and time-travel snapshots in PostgreSQL, shared by every node, each port
 * behind the {@code postgres} circuit breaker. With
 * {@code agentwatch.log=embedded} (the default) the log is PostgreSQL's too — several nodes
 * append to it, and each node's live readers hear the others' events through
 * {@code LISTEN/NOTIFY} — so PostgreSQL alone runs a small cluster — or, with Redis, through the
 * Redis backplane ({@link RedisConfiguration}). With {@code agentwatch.log=kafka}
 * the store is the topic's history instead ({@link KafkaConfiguration}). Projections stay in each
 * node's memory ({@link ClusterProjectionStore}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "agentwatch.store", havingValue = "postgres")
public class PostgresConfiguration {

  static final String BACKEND = "postgres";
  private static final Duration MAINTAIN_EVERY = Duration.ofHours(1);
  /** How long another node's append may go unheard when its announcement is lost. */
  private static final Duration POLL = Duration.ofSeconds(1);
  /** How often a node tries to take a free role, and its holder checks it still holds it. */
  private static final Duration LEASE_CHECK = Duration.ofSeconds(2);

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "agentwatch.log", havingValue = "embedded", matchIfMissing = true)
  PostgresDatabase postgresDatabase(PostgresProperties properties) {
    return PostgresDatabase.open(properties.toConfig());
  }

  /** With Kafka as the log, the store is its history: it pages by the topic's cursors. */
  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "agentwatch.log", havingValue = "kafka")
  PostgresDatabase postgresHistoryDatabase(PostgresProperties properties, EventLog log) {
    return PostgresDatabase.openFollowing(properties.toConfig(), log.storeId(), log.beginning().partitions());
  }

  /** Creates time partitions ahead and applies the retention; every node runs it, under a lock. */
  @Bean(destroyMethod = "close")
  PartitionMaintainer partitionMaintainer(PostgresDatabase db, Clock clock) {
    return new PartitionMaintainer(db, clock).start(MAINTAIN_EVERY);
  }

  @Bean
  BackendGuard postgresGuard(ResilienceSettings settings, Clock clock, PostgresDatabase db) {
    return new BackendGuard(BACKEND, settings, clock, db::check);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "agentwatch.log", havingValue = "embedded", matchIfMissing = true)
  EventLog postgresEventLog(PostgresDatabase db, Clock clock, @Qualifier("postgresGuard") BackendGuard guard,
      ObjectProvider<Backplane> backplane) {
    return new GuardedEventLog(PostgresEventLog.open(db, clock, POLL, backplane.getIfAvailable()), guard);
  }

  @Bean
  EventStore postgresEventStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedEventStore(new PostgresEventStore(db), guard);
  }

  @Bean
  KeyStore postgresKeyStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedKeyStore(new PostgresKeyStore(db), guard);
  }

  /** Shared, so the stream that redeems a ticket may reach any node, not only the one that issued it. */
  @Bean
  TicketStore postgresTicketStore(PostgresDatabase db, Clock clock, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedTicketStore(new PostgresTicketStore(db, clock), guard);
  }

  /**
   * The analytics runs on every node (each serves alerts and graphs from its own engine); its
   * alerts have ids derived from their causes, so the nodes' copies are one event in the log.
   */
  @Bean
  PositionStore postgresPositionStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedPositionStore(new PostgresPositionStore(db), guard);
  }

  /** The rollup tables, kept current by the log's append transactions (or the Kafka history writer). */
  @Bean
  RollupStore postgresRollupStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedRollupStore(new PostgresRollups(db), guard);
  }

  /** As current as the history's head, which moves in the transactions that add to the rollups. */
  @Bean
  RollupsAsOf postgresRollupsAsOf(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    PostgresRollups rollups = new PostgresRollups(db);
    return () -> guard.read(rollups::head);
  }

  @Bean
  WebhookStore postgresWebhookStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new GuardedWebhookStore(new PostgresWebhookStore(db), guard);
  }

  /** Every node matches events into deliveries (the store drops repeats); one node at a time sends them. */
  @Bean(destroyMethod = "close")
  PostgresLease webhookSendingLease(PostgresDatabase db) {
    return PostgresLease.start(db, "webhook-sender", LEASE_CHECK);
  }

  @Bean
  SendingRole webhookSendingRole(PostgresLease webhookSendingLease) {
    return webhookSendingLease::held;
  }

  @Bean
  ProjectionStore postgresProjectionStore(PostgresDatabase db, @Qualifier("postgresGuard") BackendGuard guard) {
    return new ClusterProjectionStore(new PostgresProjectionStore(db), guard);
  }
}
