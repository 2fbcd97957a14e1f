package io.agentwatch.redis;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.core.stream.BackplaneContract;
import io.agentwatch.core.stream.BackplaneEventLog;
import io.agentwatch.core.testing.LocalTailOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  void aNodeWakesOnAnotherNodesAppendThroughRedis() throws Exception {
    InMemoryEventLog shared = new InMemoryEventLog();
    Backplane a = member("wake");
    Backplane b = member("wake");
    // The follower of B polls only every minute: it can only hear A's append through Redis.
    BackplaneEventLog nodeB = new BackplaneEventLog(new LocalTailOnly(shared), b, Duration.ofMinutes(1));
    List<String> heard = new CopyOnWriteArrayList<>();
    nodeB.tail(batch -> batch.forEach(e -> heard.add(e.event().id())));

    // Appended on node A: B's own handle on the shared log does not hear it.
    BackplaneEventLog nodeA = new BackplaneEventLog(new LocalTailOnly(shared), a, Duration.ofMinutes(1));
    nodeA.append("t1", List.of(log("e1", "w1"))).join();

    awaitSize(heard, 1);
    assertThat(heard).containsExactly("e1");
    nodeA.close();
    nodeB.close();
  }

  @Test
  void aServerThatDoesNotAnswerIsUnavailable() {
    assertThatThrownBy(() -> RedisConnections.open("redis://127.0.0.1:1", "x:", Duration.ofMillis(500)))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("cannot connect to Redis at 127.0.0.1:1");
  }
}
