package io.agentwatch.redis;

import io.agentwatch.core.ingest.RateLimiter;
import io.agentwatch.core.ingest.RateLimiterContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

class RedisRateLimiterTest extends RateLimiterContract {

  private final List<RedisConnections> opened = new ArrayList<>();

  @Override
  protected RateLimiter newLimiter(int perSecond) {
    RedisConnections redis = TestRedis.connect(TestRedis.scope());
    opened.add(redis);
    return new RedisRateLimiter(redis, perSecond);
  }

  @Override
  protected void elapse(Duration d) throws InterruptedException {
    Thread.sleep(d);
  }

  @AfterEach
  void closeRedis() {
    opened.forEach(RedisConnections::close);
  }
}
