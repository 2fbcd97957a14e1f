package io.agentwatch.redis;

import io.agentwatch.core.testing.RequiredService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/**
 * The Redis the tests run against: {@code AGENTWATCH_TEST_REDIS_URL}, else 127.0.0.1:6379 (where
 * CI starts one). Every test run gets its own key prefix, so runs never collide.
 */
final class TestRedis {

  static final String URL = System.getenv().getOrDefault("AGENTWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379");
  private static final String RUN_PREFIX = "awtest:" + UUID.randomUUID().toString().substring(0, 8) + ":";

  private TestRedis() {}

  /** Connections with this run's prefix plus {@code scope}; skips (fails in CI) when Redis is absent. */
  static RedisConnections connect(String scope) {
    RequiredService.require(reachable(), "Redis at " + URL,
        "apt-get install -y redis-server && redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no");
    return RedisConnections.open(URL, RUN_PREFIX + scope + ":", Duration.ofSeconds(5));
  }

  private static boolean reachable() {
    URI uri = URI.create(URL);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String scope() {
    return UUID.randomUUID().toString().substring(0, 8);
  }
}
