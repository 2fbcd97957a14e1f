package io.agentwatch.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.core.stream.BackplaneContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RedisBackplaneTest extends BackplaneContract {

  private final String scope = TestRedis.scope();
  private final List<RedisConnections> opened = new ArrayList<>();

  /** Each member is a node with connections of its own. */
  @Override
  protected Backplane newMember(String channel) {
    RedisConnections redis = TestRedis.connect(scope);
    opened.add(redis);
    return new RedisBackplane(redis, channel);
  }

  @AfterEach
  void closeRedis() {
    opened.forEach(RedisConnections::close);
  }

  @Test
  void aServerThatDoesNotAnswerIsUnavailable() {
    assertThatThrownBy(() -> RedisConnections.open("redis://127.0.0.1:1", "x:", Duration.ofMillis(500)))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("cannot connect to Redis at 127.0.0.1:1");
  }
}
