package io.agentwatch.redis;

import io.agentwatch.core.log.UnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * One Redis server as every Redis adapter of a node uses it: a Lettuce client, one shared
 * connection for commands (thread-safe, commands of concurrent callers are pipelined on it),
 * pub/sub connections on demand, and the prefix every key and channel starts with, so several
 * deployments (or test runs) can share a server. Lettuce reconnects by itself after a drop, and
 * re-subscribes pub/sub channels.
 */
public final class RedisConnections implements AutoCloseable {

  private static final Pattern PREFIX = Pattern.compile("[a-zA-Z0-9._:-]{0,64}");

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final String prefix;

  private RedisConnections(RedisClient client, StatefulRedisConnection<String, String> connection, String prefix) {
    this.client = client;
    this.connection = connection;
    this.prefix = prefix;
  }

  /**
   * Connects to {@code url} ({@code redis://[:password@]host:port[/db]}, {@code rediss://} for TLS).
   *
   * @param keyPrefix starts every key and channel name (e.g. {@code agentwatch:})
   * @param timeout   longest wait for one command
   * @throws UnavailableException when Redis cannot be reached
   */
  public static RedisConnections open(String url, String keyPrefix, Duration timeout) {
    Objects.requireNonNull(url, "url");
    if (keyPrefix == null || !PREFIX.matcher(keyPrefix).matches()) {
      throw new IllegalArgumentException("keyPrefix must be 0-64 of a-z A-Z 0-9 . _ : - but was " + keyPrefix);
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("url must be redis://host:port or rediss://host:port but was '" + url + "'", e);
    }
    uri.setTimeout(timeout);
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, commands fail at once instead of queueing until the timeout.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    try {
      return new RedisConnections(client, client.connect(), keyPrefix);
    } catch (RedisException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      throw new UnavailableException("cannot connect to Redis at " + uri.getHost() + ":" + uri.getPort() + ": "
          + e.getMessage(), e);
    }
  }

  /** The full name of a key or channel. */
  String key(String name) {
    return prefix + name;
  }

  /** Runs commands on the shared connection; Redis failures surface as {@link UnavailableException}. */
  <T> T call(Function<RedisCommands<String, String>, T> commands) {
    try {
      return commands.apply(connection.sync());
    } catch (RedisException e) {
      throw new UnavailableException("Redis did not answer: " + e.getMessage(), e);
    }
  }

  /** The shared connection, for fire-and-forget commands. */
  StatefulRedisConnection<String, String> connection() {
    return connection;
  }

  /** A new connection for subscribing (the caller closes it). */
  StatefulRedisPubSubConnection<String, String> pubSub() {
    try {
      return client.connectPubSub();
    } catch (RedisException e) {
      throw new UnavailableException("cannot connect to Redis for pub/sub: " + e.getMessage(), e);
    }
  }

  /** Throws when Redis does not answer a PING. */
  public void check() {
    call(RedisCommands::ping);
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
