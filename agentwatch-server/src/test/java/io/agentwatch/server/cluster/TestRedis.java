package io.agentwatch.server.cluster;

import io.agentwatch.core.testing.RequiredService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * The Redis the cluster tests use, as agentwatch-redis's tests find it:
 * {@code AGENTWATCH_TEST_REDIS_URL}, else {@code redis://127.0.0.1:6379}. Each test run gets keys
 * of its own prefix. Missing, the test is skipped loudly (failed under
 * {@code -Dagentwatch.requireServices=true}).
 */
final class TestRedis {

  private TestRedis() {}

  static String url() {
    String url = System.getenv().getOrDefault("AGENTWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    URI uri = URI.create(url);
    boolean up;
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1_000);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    RequiredService.require(up, "Redis at " + url, "start one: redis-server --daemonize yes --port 6379 --save ''"
        + " --appendonly no, or set AGENTWATCH_TEST_REDIS_URL");
    return url;
  }

  /** A key prefix no other test run uses. */
  static String freshPrefix() {
    return "aw-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  /** The server options of a node on this Redis; the nodes of one cluster share {@code keyPrefix}. */
  static List<String> nodeArgs(String url, String keyPrefix) {
    return List.of("--agentwatch.redis-url=" + url, "--agentwatch.redis.key-prefix=" + keyPrefix);
  }
}
