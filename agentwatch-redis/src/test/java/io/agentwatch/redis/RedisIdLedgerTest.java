package io.agentwatch.redis;

import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.IdLedgerContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

class RedisIdLedgerTest extends IdLedgerContract {

  private RedisConnections redis;

  @Override
  protected IdLedger newLedger(Duration reservationTtl, Duration retention) {
    redis = TestRedis.connect(TestRedis.scope());
    return new RedisIdLedger(redis, reservationTtl, retention);
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
