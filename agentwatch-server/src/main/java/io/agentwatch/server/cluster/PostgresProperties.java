package io.agentwatch.server.cluster;

import io.agentwatch.storage.postgres.PostgresConfig;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentwatch.postgres.*}: where the shared store is and how it is laid out, mapped one to
 * one onto {@link PostgresConfig}, which validates the values (agentwatch-storage-postgres/README.md).
 */
@ConfigurationProperties("agentwatch.postgres")
public record PostgresProperties(
    String url,
    String user,
    String password,
    String schema,
    int poolSize,
    Duration connectTimeout,
    Duration statementTimeout,
    int logPartitions,
    Duration partitionInterval,
    int partitionsAhead,
    Duration retention,
    PostgresConfig.Timescale timescale) {

  /** @throws IllegalArgumentException naming the setting that is missing or wrong */
  public PostgresConfig toConfig() {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "agentwatch.store=postgres needs agentwatch.postgres.url (AGENTWATCH_POSTGRES_URL), e.g."
              + " jdbc:postgresql://localhost:5432/agentwatch");
    }
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException(
          "agentwatch.store=postgres needs agentwatch.postgres.user (AGENTWATCH_POSTGRES_USER)");
    }
    return new PostgresConfig(url, user, password, schema, poolSize, connectTimeout, statementTimeout,
        logPartitions, partitionInterval, partitionsAhead, retention, timescale);
  }
}
