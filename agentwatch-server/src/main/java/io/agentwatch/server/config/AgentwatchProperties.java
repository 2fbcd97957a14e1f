package io.agentwatch.server.config;

import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Every {@code agentwatch.*} setting, bound from {@code application.yml} where each has its
 * {@code AGENTWATCH_*} environment override (API.md, "Running and configuration").
 *
 * @param dataDir             folder of the embedded store
 * @param adminKey            the first key of an empty store instead of a generated one
 * @param auth                false: no keys needed (local demo only)
 * @param demo                run the simulated manager and worker agents
 * @param allowedOrigins      browser origins allowed besides the server's own ({@code *} for any)
 * @param rateLimit           events per second each tenant may ingest
 * @param subscriberQueue     live events a subscriber may have waiting before it reads them from the log
 * @param heartbeatSeconds    seconds between SSE heartbeat comments
 */
@ConfigurationProperties("agentwatch")
public record AgentwatchProperties(
    Path dataDir,
    String adminKey,
    boolean auth,
    boolean demo,
    List<String> allowedOrigins,
    int rateLimit,
    int subscriberQueue,
    int heartbeatSeconds) {

  public AgentwatchProperties {
    if (dataDir == null) {
      dataDir = Path.of("data");
    }
    if (adminKey != null && adminKey.isBlank()) {
      adminKey = null;
    }
    allowedOrigins = allowedOrigins == null ? List.of()
        : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (rateLimit < 1) {
      throw new IllegalArgumentException("agentwatch.rate-limit must be >= 1 but was " + rateLimit);
    }
    if (subscriberQueue < 16) {
      throw new IllegalArgumentException("agentwatch.subscriber-queue must be >= 16 but was " + subscriberQueue);
    }
    if (heartbeatSeconds < 1) {
      throw new IllegalArgumentException("agentwatch.heartbeat-seconds must be >= 1 but was " + heartbeatSeconds);
    }
  }
}
