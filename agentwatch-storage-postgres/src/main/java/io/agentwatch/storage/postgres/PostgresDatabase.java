package io.agentwatch.storage.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.Flyway;

/**
 * The PostgreSQL store shared by {@link PostgresEventLog}, {@link PostgresEventStore},
 * {@link PostgresProjectionStore}, {@link PostgresKeyStore} and {@link PostgresRollups}: a
 * HikariCP pool, the schema (migrated by Flyway from {@code db/migration/postgres} when opened),
 * and what the store fixed when it was created — its id, the number of log partitions, and
 * whether events live in declarative partitions or a TimescaleDB hypertable.
 *
 * <p>Every connection has bounded waits: {@link PostgresConfig#connectTimeout()} to get a
 * connection (from the pool or the network), {@code statement_timeout} for each statement (lock
 * waits included), and a socket timeout a little above it, so a dead server or a cut network
 * turns into an {@link UnavailableException} within those bounds instead of a hang.
 *
 * <p>Several nodes may open the same store at once: Flyway serializes migrations with an
 * advisory lock, and everything else is coordinated by the database. Thread-safe; close the log
 * and stores using it first.
 */
public final class PostgresDatabase implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PostgresDatabase.class.getName());
  /** The meta row that says the store follows another log, and which kind. */
  private static final String FOLLOWED_LOG = "followed_log";

  private final PostgresConfig config;
  private final HikariDataSource pool;
  private final String storeId;
  private final int logPartitions;
  private final boolean timescale;
  private final boolean followsAnotherLog;
  private final Cursor beginning;
  private volatile boolean closed;

  private PostgresDatabase(PostgresConfig config, HikariDataSource pool, String storeId, int logPartitions,
      boolean timescale, boolean followsAnotherLog) {
    this.config = config;
    this.pool = pool;
    this.storeId = storeId;
    this.logPartitions = logPartitions;
    this.timescale = timescale;
    this.followsAnotherLog = followsAnotherLog;
    this.beginning = Cursor.beginning(storeId, logPartitions);
  }

  /**
   * Connects, creates or migrates the schema, and reads the store's identity.
   *
   * @throws UnavailableException when the server cannot be reached or the migration fails
   */
  public static PostgresDatabase open(PostgresConfig config) {
    return open(config, null, false);
  }

  /**
   * Opens the store whichever log it keeps or follows, for offline administration that touches
   * neither the log nor the history (issuing a key while the nodes are stopped).
   *
   * @throws UnavailableException when the server cannot be reached or the migration fails
   */
  public static PostgresDatabase openForAdministration(PostgresConfig config) {
    return open(config, null, true);
  }

  /**
   * Opens the store as the history of another log — a Kafka topic whose events a
   * {@link PostgresEventSink} writes here — so history pages by that log's cursors: the store
   * takes the log's id and partition count. The first node to open an empty store binds it to the
   * log; a store bound to another log, or holding events of a log of its own, is refused.
   *
   * @throws UnavailableException when the server cannot be reached, the migration fails, or the
   *                              store belongs to another log
   */
  public static PostgresDatabase openFollowing(PostgresConfig config, String logStoreId, int logPartitions) {
    Cursor.beginning(logStoreId, logPartitions); // validates both, with their values in the message
    return open(config, new FollowedLog(logStoreId, logPartitions), false);
  }

  /** The log a store follows instead of keeping its own. */
  private record FollowedLog(String storeId, int partitions) {}

  private static PostgresDatabase open(PostgresConfig config, FollowedLog followed, boolean anyLog) {
    HikariDataSource pool = null;
    try {
      pool = new HikariDataSource(poolConfig(config));
      Map<String, String> placeholders = new HashMap<>();
      placeholders.put("logPartitions", Integer.toString(config.logPartitions()));
      placeholders.put("timescale", config.timescale().name().toLowerCase());
      placeholders.put("partitionIntervalHours", Long.toString(config.partitionInterval().toHours()));
      Flyway.configure()
          .dataSource(pool)
          .schemas(config.schema())
          .defaultSchema(config.schema())
          .createSchemas(true)
          .locations("classpath:db/migration/postgres")
          .placeholders(placeholders)
          .load()
          .migrate();
      if (followed != null) {
        bind(pool, config, followed);
      }
      Map<String, String> meta = readMeta(pool);
      boolean follows = meta.containsKey(FOLLOWED_LOG);
      if (followed == null && follows && !anyLog) {
        throw new SQLException("the store (schema " + config.schema() + ") holds the history of the Kafka log "
            + meta.get("store_id") + "; start with agentwatch.log=kafka, or use another schema");
      }
      int partitions = Integer.parseInt(meta.get("log_partitions"));
      if (followed == null && partitions != config.logPartitions()) {
        LOG.log(System.Logger.Level.WARNING, "the store was created with " + partitions
            + " log partitions; the configured " + config.logPartitions() + " applies only to new stores");
      }
      boolean timescale = "timescaledb".equals(meta.get("events_layout"));
      return new PostgresDatabase(config, pool, meta.get("store_id"), partitions, timescale, follows);
    } catch (RuntimeException | SQLException e) {
      if (pool != null) {
        pool.close();
      }
      throw new UnavailableException("cannot open the PostgreSQL store " + config.url() + " (schema "
          + config.schema() + "): " + e.getMessage(), e);
    }
  }

  private static HikariConfig poolConfig(PostgresConfig config) {
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("agentwatch-postgres-" + config.schema());
    pool.setJdbcUrl(config.url());
    pool.setUsername(config.user());
    pool.setPassword(config.password());
    pool.setMaximumPoolSize(config.poolSize());
    pool.setMinimumIdle(Math.min(2, config.poolSize()));
    pool.setConnectionTimeout(config.connectTimeout().toMillis());
    pool.setValidationTimeout(Math.min(config.connectTimeout().toMillis(), 5_000));
    pool.setInitializationFailTimeout(config.connectTimeout().toMillis());
    connectionProperties(config).forEach((k, v) -> pool.addDataSourceProperty((String) k, v));
    return pool;
  }

  /** Driver settings shared by the pool and the dedicated connections. */
  private static Properties connectionProperties(PostgresConfig config) {
    Properties p = new Properties();
    long connectSeconds = Math.max(1, config.connectTimeout().toSeconds());
    p.setProperty("connectTimeout", Long.toString(connectSeconds));
    p.setProperty("loginTimeout", Long.toString(connectSeconds));
    // A little above the statement timeout: the server cancels a slow statement first, and the
    // socket timeout only fires when the server itself is gone.
    p.setProperty("socketTimeout", Long.toString(config.statementTimeout().toSeconds() + 5));
    p.setProperty("options", "-c statement_timeout=" + config.statementTimeout().toMillis()
        + " -c idle_in_transaction_session_timeout=" + Math.max(60_000, 2 * config.statementTimeout().toMillis()));
    p.setProperty("currentSchema", config.schema());
    p.setProperty("ApplicationName", "agentwatch");
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("reWriteBatchedInserts", "true");
    return p;
  }

  /**
   * Makes an empty store the history of {@code followed}, or checks that it already is; under a
   * row lock, so nodes starting together agree.
   */
  private static void bind(HikariDataSource pool, PostgresConfig config, FollowedLog followed) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT value FROM meta WHERE name = 'store_id' FOR UPDATE").close();
        Map<String, String> meta = new HashMap<>();
        try (ResultSet rs = s.executeQuery("SELECT name, value FROM meta")) {
          while (rs.next()) {
            meta.put(rs.getString(1), rs.getString(2));
          }
        }
        if (meta.containsKey(FOLLOWED_LOG)) {
          if (!meta.get("store_id").equals(followed.storeId())
              || Integer.parseInt(meta.get("log_partitions")) != followed.partitions()) {
            throw new SQLException("the store (schema " + config.schema() + ") holds the history of log "
                + meta.get("store_id") + " (" + meta.get("log_partitions") + " partitions), not of this one, "
                + followed.storeId() + " (" + followed.partitions() + " partitions): a new or re-created topic needs"
                + " a new schema (agentwatch.postgres.schema)");
          }
        } else {
          try (ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM events)")) {
            rs.next();
            if (rs.getBoolean(1)) {
              throw new SQLException("the store (schema " + config.schema() + ") holds the events of its own"
                  + " PostgreSQL log; the Kafka log's history needs another schema (agentwatch.postgres.schema)");
            }
          }
          try (PreparedStatement ps = c.prepareStatement("UPDATE meta SET value = ? WHERE name = ?")) {
            ps.setString(1, followed.storeId());
            ps.setString(2, "store_id");
            ps.executeUpdate();
            ps.setString(1, Integer.toString(followed.partitions()));
            ps.setString(2, "log_partitions");
            ps.executeUpdate();
          }
          s.executeUpdate("INSERT INTO meta (name, value) VALUES ('" + FOLLOWED_LOG + "', 'kafka')");
          s.executeUpdate("DELETE FROM log_partitions");
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO log_partitions (partition, next_offset)"
              + " SELECT p, 0 FROM generate_series(0, ? - 1) AS p")) {
            ps.setInt(1, followed.partitions());
            ps.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  private static Map<String, String> readMeta(HikariDataSource pool) throws SQLException {
    Map<String, String> meta = new HashMap<>();
    try (Connection c = pool.getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT name, value FROM meta")) {
      while (rs.next()) {
        meta.put(rs.getString(1), rs.getString(2));
      }
    }
    return meta;
  }

  public PostgresConfig config() {
    return config;
  }

  /** The id of this store, carried in every cursor it makes; made once with the schema. */
  public String storeId() {
    return storeId;
  }

  /**
   * Whether the events come from another log (written by a {@link PostgresEventSink}) rather than
   * from a {@link PostgresEventLog} of this store.
   */
  public boolean followsAnotherLog() {
    return followsAnotherLog;
  }

  /** The number of log partitions, fixed when the store was created. */
  public int logPartitions() {
    return logPartitions;
  }

  /** Whether events live in a TimescaleDB hypertable rather than declarative partitions. */
  public boolean usesTimescale() {
    return timescale;
  }

  /** The cursor before every event of this store. */
  Cursor beginning() {
    return beginning;
  }

  /** The LISTEN/NOTIFY channel on which appends announce themselves to every node. */
  String channel() {
    return "agentwatch_log_" + storeId;
  }

  /** Runs {@code work} in one transaction, committed when it returns normally, else rolled back. */
  <T> T inTransaction(SqlWork<T> work) throws SQLException {
    try (Connection c = connection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      }
    }
  }

  /** Runs {@code work} on a pooled connection in auto-commit mode. */
  <T> T read(SqlWork<T> work) throws SQLException {
    try (Connection c = connection()) {
      return work.run(c);
    }
  }

  private Connection connection() throws SQLException {
    if (closed) {
      throw new SQLException("the PostgreSQL store is closed", "08003");
    }
    return pool.getConnection();
  }

  /** A connection outside the pool, for a long-lived user (the log's writer and listener). */
  Connection dedicatedConnection() throws SQLException {
    if (closed) {
      throw new SQLException("the PostgreSQL store is closed", "08003");
    }
    Properties p = connectionProperties(config);
    p.setProperty("user", config.user());
    p.setProperty("password", config.password());
    return DriverManager.getConnection(config.url(), p);
  }

  static void rollbackQuietly(Connection c, Exception cause) {
    try {
      if (!c.isClosed()) {
        c.rollback();
      }
    } catch (SQLException suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  static UnavailableException unavailable(String what, SQLException e) {
    return new UnavailableException("cannot " + what + ": " + e.getMessage(), e);
  }

  /** Throws {@link UnavailableException} when the server does not answer a trivial query in time. */
  public void check() {
    if (closed) {
      throw new UnavailableException("the PostgreSQL store is closed");
    }
    try {
      read(c -> {
        try (Statement s = c.createStatement()) {
          s.setQueryTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
          s.execute("SELECT 1");
        }
        return null;
      });
    } catch (SQLException e) {
      throw unavailable("reach PostgreSQL", e);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    pool.close();
  }
}
