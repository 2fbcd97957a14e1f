package io.agentwatch.server.cluster;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Cursor;
import io.agentwatch.server.Envelopes;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The same two nodes on one PostgreSQL, with Redis: the nodes announce their appends on the Redis
 * backplane instead of {@code NOTIFY}, and everything the PostgreSQL-only pair does still holds —
 * live streams across nodes, cursors, commands, webhooks and alerts.
 */
class TwoNodesOnRedisBackplaneEndToEndTest extends TwoNodesEndToEndTest {

  private final String redisUrl = TestRedis.url();
  private final String prefix = TestRedis.freshPrefix();

  @Override
  List<String> extraNodeArgs() {
    return TestRedis.nodeArgs(redisUrl, prefix);
  }

  @Test
  void anAppendIsAnnouncedOnTheRedisBackplaneWithItsCursor() throws Exception {
    RedisClient client = RedisClient.create(redisUrl);
    try (StatefulRedisPubSubConnection<String, String> c = client.connectPubSub()) {
      BlockingQueue<String> notices = new LinkedBlockingQueue<>();
      c.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          notices.add(message);
        }
      });
      c.sync().subscribe(prefix + "backplane:log");

      HttpResponse<String> r = a.post("/api/v1/events", ADMIN_KEY, "application/json",
          Envelopes.array(List.of(Envelopes.log("announced-1", "agent-announced", null))));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

      String notice = notices.poll(10, TimeUnit.SECONDS);
      assertThat(notice).as("a notice on the backplane").isNotNull();
      HttpResponse<String> stored = b.get("/api/v1/events?agentId=agent-announced", ADMIN_KEY);
      Cursor of = Cursor.parse(json(stored.body()).get("events").get(0).get("cursor").stringValue());
      assertThat(Cursor.parse(notice).storeId()).isEqualTo(of.storeId());
    } finally {
      client.shutdown();
    }
  }

  @Test
  void readinessIncludesRedis() {
    HttpResponse<String> readiness = b.get("/actuator/health/readiness", null);
    assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
    JsonNode components = json(readiness.body()).get("components").get("pipeline").get("components");
    assertThat(components.get("redis").get("status").stringValue()).isEqualTo("UP");
  }
}
