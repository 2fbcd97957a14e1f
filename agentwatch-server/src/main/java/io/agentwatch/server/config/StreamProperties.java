package io.agentwatch.server.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Live delivery settings ({@code agentwatch.stream.*}, each with its {@code AGENTWATCH_STREAM_*}
 * override; see {@code docs/live-delivery.md}).
 *
 * @param maxConnectionsPerKey    WebSocket and SSE connections one key may hold open; past it, 429
 * @param maxConnectionsPerTenant WebSocket and SSE connections one tenant may hold open; past it, 429
 * @param deliveryThreads         fan-out threads (0: one per processor)
 */
@ConfigurationProperties("agentwatch.stream")
public record StreamProperties(int maxConnectionsPerKey, int maxConnectionsPerTenant, int deliveryThreads) {

  public StreamProperties {
    if (maxConnectionsPerKey < 1) {
      throw new IllegalArgumentException(
          "agentwatch.stream.max-connections-per-key must be >= 1 but was " + maxConnectionsPerKey);
    }
    if (maxConnectionsPerTenant < 1) {
      throw new IllegalArgumentException(
          "agentwatch.stream.max-connections-per-tenant must be >= 1 but was " + maxConnectionsPerTenant);
    }
    if (deliveryThreads < 0 || deliveryThreads > 64) {
      throw new IllegalArgumentException(
          "agentwatch.stream.delivery-threads must be 0 (one per processor) to 64 but was " + deliveryThreads);
    }
  }

  /** The fan-out threads to run. */
  public int shards() {
    return deliveryThreads == 0 ? Runtime.getRuntime().availableProcessors() : deliveryThreads;
  }
}
