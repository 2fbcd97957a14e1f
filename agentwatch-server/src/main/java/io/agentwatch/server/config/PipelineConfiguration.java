package io.agentwatch.server.config;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.InMemoryTicketStore;
import io.agentwatch.core.auth.StreamTickets;
import io.agentwatch.core.auth.TicketStore;
import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.ingest.IdempotencyStore;
import io.agentwatch.core.ingest.InMemoryIdempotencyStore;
import io.agentwatch.core.ingest.InMemoryRateLimiter;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.ingest.RateLimiter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.core.state.TimeTravel;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.server.auth.FirstKey;
import io.agentwatch.server.ingest.IdempotencyKeys;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.ops.MicrometerPipelineMetrics;
import io.agentwatch.server.ops.PipelineHealth;
import io.agentwatch.server.resilience.BackendGuard;
import io.agentwatch.server.stream.Connections;
import io.agentwatch.server.stream.OriginPolicy;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqliteEventLog;
import io.agentwatch.storage.sqlite.SqliteEventStore;
import io.agentwatch.storage.sqlite.SqliteKeyStore;
import io.agentwatch.storage.sqlite.SqliteProjectionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * Wires the pipeline: ingest, fan-out, projections, keys, metrics, and — unless another store is
 * selected ({@code agentwatch.store}, see {@code cluster.PostgresConfiguration}) — the embedded
 * SQLite log, store and keys. Rate limits and Idempotency-Key answers are kept in this process
 * unless shared ones are configured ({@code cluster.RedisConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

  /** Roughly the most memory the embedded deployment spends on remembered Idempotency-Key answers. */
  private static final long IDEMPOTENCY_MEMORY_BYTES = 64L * 1024 * 1024;

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  SqliteDatabase sqliteDatabase(AgentwatchProperties properties) {
    return SqliteDatabase.open(properties.dataDir());
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  EventLog eventLog(SqliteDatabase database, Clock clock) {
    return SqliteEventLog.open(database, clock);
  }

  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  EventStore eventStore(SqliteDatabase database) {
    return new SqliteEventStore(database);
  }

  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  ProjectionStore projectionStore(SqliteDatabase database) {
    return new SqliteProjectionStore(database);
  }

  /** Started here and closed before the log, so its last save reflects everything it applied. */
  @Bean(destroyMethod = "close")
  ProjectionUpdater projectionUpdater(EventLog log, ProjectionStore store, Clock clock) {
    return new ProjectionUpdater(log, store, clock).start();
  }

  @Bean
  TimeTravel timeTravel(EventStore events, ProjectionStore store) {
    return new TimeTravel(events, store, 1000);
  }

  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  KeyStore keyStore(SqliteDatabase database) {
    return new SqliteKeyStore(database);
  }

  /** This node's tickets; with {@code agentwatch.store=postgres} all nodes' ({@code cluster.PostgresConfiguration}). */
  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  TicketStore ticketStore(Clock clock) {
    return new InMemoryTicketStore(clock);
  }

  @Bean
  StreamTickets streamTickets(Clock clock, TicketStore store) {
    return new StreamTickets(clock, store);
  }

  @Bean
  KeyService keyService(KeyStore store, Clock clock, Connections connections) {
    KeyService keys = new KeyService(store, clock);
    keys.onRevoked(key -> connections.closeKey(key.id()));
    return keys;
  }

  @Bean
  PipelineMetrics pipelineMetrics(MeterRegistry registry) {
    return new MicrometerPipelineMetrics(registry);
  }

  @Bean
  Ingestor ingestor(EventLog log, PipelineMetrics metrics) {
    return new Ingestor(log, metrics);
  }

  @Bean(destroyMethod = "close")
  Fanout fanout(EventLog log, PipelineMetrics metrics, Clock clock, AgentwatchProperties properties,
      StreamProperties stream, MeterRegistry registry, Connections connections) {
    Fanout fanout = new Fanout(log, properties.subscriberQueue(), stream.shards(), metrics, clock).start();
    Gauge.builder("agentwatch.stream.subscribers", fanout, Fanout::subscribers)
        .description("live subscriptions").register(registry);
    Gauge.builder("agentwatch.stream.queued", fanout, Fanout::queued)
        .description("events waiting in subscriber queues").register(registry);
    Gauge.builder("agentwatch.stream.catching_up", fanout, Fanout::catchingUp)
        .description("subscriptions reading from the log rather than live").register(registry);
    Gauge.builder("agentwatch.connections", connections, Connections::count)
        .description("open WebSocket and SSE connections").register(registry);
    return fanout;
  }

  @Bean
  OriginPolicy originPolicy(AgentwatchProperties properties) {
    return new OriginPolicy(properties.allowedOrigins());
  }

  @Bean
  Connections connections(StreamProperties stream) {
    return new Connections(stream.maxConnectionsPerKey(), stream.maxConnectionsPerTenant());
  }

  @Bean
  Lifecycle lifecycle(Fanout fanout, Connections connections) {
    return new Lifecycle(fanout, connections);
  }

  /** Named so that health lists it as {@code pipeline}, the component readiness includes. */
  @Bean
  PipelineHealth pipelineHealthContributor(EventLog log, EventStore store, Lifecycle lifecycle,
      ObjectProvider<BackendGuard> backends) {
    return new PipelineHealth(log, store, lifecycle, backends.orderedStream().toList());
  }

  @Bean
  IdempotencyKeys idempotencyKeys(ObjectProvider<IdempotencyStore> shared, Clock clock) {
    return new IdempotencyKeys(shared.getIfAvailable(() -> new InMemoryIdempotencyStore(clock,
        IdempotencyKeys.REMEMBER_FOR, IdempotencyKeys.CLAIM_FOR, IDEMPOTENCY_MEMORY_BYTES)));
  }

  @Bean
  TenantRateLimits tenantRateLimits(AgentwatchProperties properties, ObjectProvider<RateLimiter> shared, Clock clock) {
    return new TenantRateLimits(shared.getIfAvailable(() -> new InMemoryRateLimiter(properties.rateLimit(), clock)));
  }

  @Bean
  @Order(0)
  ApplicationRunner firstKey(KeyService keys, AgentwatchProperties properties) {
    return args -> FirstKey.ensure(keys, properties);
  }
}
