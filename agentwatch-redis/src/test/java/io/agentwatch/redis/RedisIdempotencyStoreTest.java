package io.agentwatch.redis;

import io.agentwatch.core.ingest.IdempotencyStore;
import io.agentwatch.core.ingest.IdempotencyStoreContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

class RedisIdempotencyStoreTest extends IdempotencyStoreContract {

  private RedisConnections redis;

  @Override
  protected IdempotencyStore newStore(Duration ttl, Duration claimTtl) {
    redis = TestRedis.connect(TestRedis.scope());
    return new RedisIdempotencyStore(redis, ttl, claimTtl);
  }

  @Override
  protected void elapse(Duration d) throws InterruptedException {
    Thread.sleep(d);
  }

  @AfterEach
  void closeRedis() {
    if (redis != null) {
      redis.close();
    }
  }
}
