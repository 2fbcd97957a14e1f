package io.agentwatch.server.cluster;

import io.agentwatch.core.ingest.IdempotencyStore;
import io.agentwatch.core.ingest.RateLimiter;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.redis.RedisBackplane;
import io.agentwatch.redis.RedisConnections;
import io.agentwatch.redis.RedisIdempotencyStore;
import io.agentwatch.redis.RedisRateLimiter;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.server.ingest.IdempotencyKeys;
import io.agentwatch.server.resilience.BackendGuard;
import io.agentwatch.server.resilience.GuardedIdempotencyStore;
import io.agentwatch.server.resilience.GuardedRateLimiter;
import io.agentwatch.server.resilience.ResilienceSettings;
import java.time.Clock;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code agentwatch.redis-url} set: what the nodes must share beyond the log and the store lives in
 * Redis — one rate budget per tenant, the answers to {@code Idempotency-Key}s, and the event ids the
 * Kafka log has taken ({@link KafkaConfiguration}) — each behind the {@code redis} circuit breaker —
 * and, for a PostgreSQL log, the backplane on which the nodes announce their appends
 * ({@link PostgresConfiguration}). A Kafka log needs no backplane: every node consumes the topic.
 */
@Configuration(proxyBeanMethods = false)
// Selected by the URL being set; @ConditionalOnProperty would also match the empty default.
@ConditionalOnExpression("'${agentwatch.redis-url:}' != ''")
public class RedisConfiguration {

  static final String BACKEND = "redis";

  @Bean(destroyMethod = "close")
  RedisConnections redisConnections(@Value("${agentwatch.redis-url}") String url, RedisProperties properties) {
    return RedisConnections.open(url, properties.keyPrefix(), properties.timeout());
  }

  @Bean
  BackendGuard redisGuard(ResilienceSettings settings, Clock clock, RedisConnections redis) {
    return new BackendGuard(BACKEND, settings, clock, redis::check);
  }

  /**
   * Best effort by contract: while Redis is away, the nodes still see each other's events through
   * their followers' poll, only later; ingest does not depend on it.
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnExpression("'${agentwatch.store:sqlite}' == 'postgres' and '${agentwatch.log:embedded}' == 'embedded'"
      + " and '${agentwatch.backplane:redis}' == 'redis'")
  Backplane redisBackplane(RedisConnections redis) {
    return new RedisBackplane(redis, "log");
  }

  @Bean
  RateLimiter redisRateLimiter(RedisConnections redis, AgentwatchProperties properties,
      @Qualifier("redisGuard") BackendGuard guard) {
    return new GuardedRateLimiter(new RedisRateLimiter(redis, properties.rateLimit()), guard);
  }

  @Bean
  IdempotencyStore redisIdempotencyStore(RedisConnections redis, @Qualifier("redisGuard") BackendGuard guard) {
    return new GuardedIdempotencyStore(
        new RedisIdempotencyStore(redis, IdempotencyKeys.REMEMBER_FOR, IdempotencyKeys.CLAIM_FOR), guard);
  }
}
