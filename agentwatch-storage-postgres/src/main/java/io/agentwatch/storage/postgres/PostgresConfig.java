package io.agentwatch.storage.postgres;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach and lay out the PostgreSQL store. Validated here, so a bad setting fails at
 * startup with its value in the message.
 *
 * @param url               JDBC URL, {@code jdbc:postgresql://host:5432/db}
 * @param user              login role
 * @param password          its password (may be empty)
 * @param schema            schema holding every table (created when missing)
 * @param poolSize          connections in the pool (the log's writer and listener come on top)
 * @param connectTimeout    how long to wait for a connection, from the pool or the network
 * @param statementTimeout  longest a statement may run, waits for locks included
 * @param logPartitions     partitions of the log, fixed when the store is created (1-256)
 * @param partitionInterval width of the events table's time partitions (whole hours)
 * @param partitionsAhead   time partitions kept ready beyond the current one
 * @param retention         events older than this (by receive time) are dropped with their partition
 * @param timescale         whether to use TimescaleDB when the extension is available
 */
public record PostgresConfig(
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
    Timescale timescale) {

  /** Whether to lay out events as a TimescaleDB hypertable. */
  public enum Timescale { AUTO, OFF }

  public static final int MAX_LOG_PARTITIONS = 256;

  public PostgresConfig {
    Objects.requireNonNull(url, "url");
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("url must start with jdbc:postgresql: but was '" + url + "'");
    }
    Objects.requireNonNull(user, "user");
    password = password == null ? "" : password;
    if (schema == null || !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("schema must be 1-63 of a-z 0-9 _ not starting with a digit but was '"
          + schema + "'");
    }
    if (schema.startsWith("pg_")) {
      throw new IllegalArgumentException("schema must not start with pg_ (PostgreSQL reserves those names) but was '"
          + schema + "'");
    }
    if (poolSize < 1 || poolSize > 200) {
      throw new IllegalArgumentException("poolSize must be 1..200 but was " + poolSize);
    }
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("statementTimeout", statementTimeout);
    if (connectTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("connectTimeout must be at least 250ms but was " + connectTimeout);
    }
    if (logPartitions < 1 || logPartitions > MAX_LOG_PARTITIONS) {
      throw new IllegalArgumentException("logPartitions must be 1.." + MAX_LOG_PARTITIONS + " but was " + logPartitions);
    }
    requirePositive("partitionInterval", partitionInterval);
    if (partitionInterval.toMinutes() % 60 != 0 || partitionInterval.toSeconds() % 60 != 0) {
      throw new IllegalArgumentException("partitionInterval must be whole hours but was " + partitionInterval);
    }
    if (partitionsAhead < 1 || partitionsAhead > 100) {
      throw new IllegalArgumentException("partitionsAhead must be 1..100 but was " + partitionsAhead);
    }
    requirePositive("retention", retention);
    if (retention.compareTo(partitionInterval) < 0) {
      throw new IllegalArgumentException("retention must be at least the partitionInterval " + partitionInterval
          + " but was " + retention);
    }
    Objects.requireNonNull(timescale, "timescale");
  }

  /** The defaults: schema {@code agentwatch}, 10 connections, 4 log partitions, daily partitions kept 30 days. */
  public static PostgresConfig of(String url, String user, String password) {
    return new PostgresConfig(url, user, password, "agentwatch", 10, Duration.ofSeconds(5), Duration.ofSeconds(30),
        4, Duration.ofDays(1), 2, Duration.ofDays(30), Timescale.AUTO);
  }

  public PostgresConfig withSchema(String newSchema) {
    return new PostgresConfig(url, user, password, newSchema, poolSize, connectTimeout, statementTimeout,
        logPartitions, partitionInterval, partitionsAhead, retention, timescale);
  }

  public PostgresConfig withTimeouts(Duration connect, Duration statement) {
    return new PostgresConfig(url, user, password, schema, poolSize, connect, statement, logPartitions,
        partitionInterval, partitionsAhead, retention, timescale);
  }

  public PostgresConfig withLogPartitions(int partitions) {
    return new PostgresConfig(url, user, password, schema, poolSize, connectTimeout, statementTimeout, partitions,
        partitionInterval, partitionsAhead, retention, timescale);
  }

  public PostgresConfig withRetention(Duration interval, int ahead, Duration keep) {
    return new PostgresConfig(url, user, password, schema, poolSize, connectTimeout, statementTimeout,
        logPartitions, interval, ahead, keep, timescale);
  }

  public PostgresConfig withPoolSize(int size) {
    return new PostgresConfig(url, user, password, schema, size, connectTimeout, statementTimeout, logPartitions,
        partitionInterval, partitionsAhead, retention, timescale);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive but was " + d);
    }
  }

  @Override
  public String toString() {
    return "PostgresConfig[url=" + url + ", user=" + user + ", schema=" + schema + ", poolSize=" + poolSize
        + ", logPartitions=" + logPartitions + ", partitionInterval=" + partitionInterval + ", retention=" + retention
        + ", timescale=" + timescale + "]";
  }
}
