package io.agentwatch.storage.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The embedded store's SQLite file, {@code <dataDir>/agentwatch.db}, shared by
 * {@link SqliteEventLog}, {@link SqliteEventStore}, {@link SqliteKeyStore},
 * {@link SqliteProjectionStore} and {@link SqliteWebhookStore}.
 *
 * <p>Opened in WAL mode with {@code synchronous=FULL}: a transaction is durable (fsynced) when its
 * commit returns, which is what lets the log acknowledge an event only once it cannot be lost.
 * Events and keys are written through one dedicated connection, one transaction at a time.
 * Projections are written through a second connection ({@link #writeProjections}), so a
 * projection save never queues inside the log's writer: SQLite still lets only one of the two
 * write at a time, and each waits for the other ({@code busy_timeout}) instead of failing. That
 * connection commits with {@code synchronous=NORMAL}: projections are derived from the log, so a
 * power cut may lose the last saves (the log replays them) but never makes the file inconsistent,
 * and skipping the fsync keeps the moments the log's writer has to wait short. The webhook
 * delivery queue, likewise derived from the log, is written through the same connection. Queries use a
 * small pool of read-only connections, which WAL lets run beside the writers.
 *
 * <p>The database carries a random store id, made once when the file is created and kept across
 * restarts; a wiped folder gets a new one, so cursors of the old store are recognised as stale.
 *
 * <p>Thread-safe. Close the log and the stores using it before closing the database; closing
 * twice does nothing.
 */
public final class SqliteDatabase implements AutoCloseable {

  /** The file name inside the data folder. */
  public static final String FILE_NAME = "agentwatch.db";

  static final Duration DEFAULT_BUSY_TIMEOUT = Duration.ofSeconds(5);
  private static final int READERS = 4;
  private static final int WRITER_CACHE_KIB = 16 * 1024;
  private static final int PROJECTION_WRITER_CACHE_KIB = 4 * 1024;
  private static final int WAL_SIZE_LIMIT = 64 * 1024 * 1024;
  /** Pages (4 KiB) between checkpoints: rarer checkpoints copy hot index pages to the file less often. */
  private static final int CHECKPOINT_PAGES = 10_000;

  private final Path file;
  private final String storeId;
  private final Connection writer;
  private final Connection projectionWriter;
  private final HikariDataSource readers;
  private final Cursor beginning;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ReentrantLock projectionWriteLock = new ReentrantLock();
  private final AtomicBoolean logOpen = new AtomicBoolean();
  private volatile boolean closed;

  private SqliteDatabase(Path file, String storeId, Connection writer, Connection projectionWriter,
      HikariDataSource readers) {
    this.file = file;
    this.storeId = storeId;
    this.beginning = Cursor.beginning(storeId, 1);
    this.writer = writer;
    this.projectionWriter = projectionWriter;
    this.readers = readers;
  }

  /**
   * Opens the database in {@code dataDir}, creating the folder, the file and the schema when
   * missing, and migrating an older schema.
   *
   * @throws UnavailableException when the file cannot be opened or was written by a newer version
   */
  public static SqliteDatabase open(Path dataDir) {
    return open(dataDir, DEFAULT_BUSY_TIMEOUT);
  }

  static SqliteDatabase open(Path dataDir, Duration busyTimeout) {
    Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
    String url = "jdbc:sqlite:" + file;
    Connection writer = null;
    Connection projectionWriter = null;
    try {
      Files.createDirectories(file.getParent());
      writer = writerConfig(busyTimeout).createConnection(url);
      requireWal(writer);
      String storeId = Schema.migrate(writer);
      projectionWriter = projectionWriterConfig(busyTimeout).createConnection(url);
      return new SqliteDatabase(file, storeId, writer, projectionWriter, readerPool(url, busyTimeout));
    } catch (SQLException | IOException | RuntimeException e) {
      for (Connection c : new Connection[] {projectionWriter, writer}) {
        if (c != null) {
          try {
            c.close();
          } catch (SQLException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
      }
      throw new UnavailableException("cannot open the SQLite store " + file + ": " + e.getMessage(), e);
    }
  }

  private static SQLiteConfig writerConfig(Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    config.enforceForeignKeys(true);
    config.setCacheSize(-WRITER_CACHE_KIB);
    config.setJournalSizeLimit(WAL_SIZE_LIMIT);
    config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(CHECKPOINT_PAGES));
    // Otherwise the driver runs an extra query after every INSERT to fetch keys the writer works out itself.
    config.setGetGeneratedKeys(false);
    return config;
  }

  /** Like the writer's, but without an fsync per commit: see the class comment. */
  private static SQLiteConfig projectionWriterConfig(Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    config.setCacheSize(-PROJECTION_WRITER_CACHE_KIB);
    config.setJournalSizeLimit(WAL_SIZE_LIMIT);
    config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, Integer.toString(CHECKPOINT_PAGES));
    config.setGetGeneratedKeys(false);
    return config;
  }

  /** Readers beside the writer need WAL; some file systems (network mounts) refuse it. */
  private static void requireWal(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
      String mode = rs.next() ? rs.getString(1) : "unknown";
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new SQLException("journal_mode must be wal but was " + mode);
      }
    }
  }

  private static HikariDataSource readerPool(String url, Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout((int) busyTimeout.toMillis());
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl(url);
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("agentwatch-sqlite-readers");
    pool.setDataSource(dataSource);
    pool.setReadOnly(true);
    pool.setMaximumPoolSize(READERS);
    pool.setMinimumIdle(1);
    pool.setConnectionTimeout(busyTimeout.toMillis() + 1000);
    return new HikariDataSource(pool);
  }

  /** The id of this store, carried in every cursor it makes. */
  public String storeId() {
    return storeId;
  }

  /** The cursor before every event of this store. */
  Cursor beginning() {
    return beginning;
  }

  /** The cursor covering the event at {@code seq} and everything before it. */
  Cursor cursorAt(long seq) {
    return Cursor.at(storeId, seq);
  }

  /**
   * The statements that create the events table and its indexes, for benchmarks that compare the
   * log against raw SQLite inserts into the same table.
   */
  public static List<String> eventsTableSql() {
    return Schema.EVENTS;
  }

  /** The log's insert statement (see {@code GroupWriter}), for the same benchmarks. */
  public static String eventInsertSql() {
    return GroupWriter.INSERT;
  }

  /** The database file. */
  public Path file() {
    return file;
  }

  /**
   * Runs {@code work} in one write transaction on the writer connection, committing (durably)
   * when it returns and rolling back when it throws. Writers take turns.
   */
  <T> T write(SqlWork<T> work) throws SQLException {
    writeLock.lock();
    try {
      requireOpen();
      return transaction(writer, work);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Runs {@code work} in one write transaction on the projections' own connection (see the class
   * comment), committing when it returns and rolling back when it throws. Keep it short: while it
   * runs, the log's writer waits.
   */
  <T> T writeProjections(SqlWork<T> work) throws SQLException {
    projectionWriteLock.lock();
    try {
      requireOpen();
      return transaction(projectionWriter, work);
    } finally {
      projectionWriteLock.unlock();
    }
  }

  private static <T> T transaction(Connection c, SqlWork<T> work) throws SQLException {
    try (Statement s = c.createStatement()) {
      // IMMEDIATE takes the write lock up front, so waiting for the other writer goes through
      // busy_timeout instead of failing with SQLITE_BUSY halfway through.
      s.executeUpdate("BEGIN IMMEDIATE");
      try {
        T result = work.run(c);
        s.executeUpdate("COMMIT");
        return result;
      } catch (Throwable e) {
        // Even after an Error: a transaction left open would make every later BEGIN fail.
        rollbackQuietly(s, e);
        throw e;
      }
    }
  }

  /** Runs {@code work} on a read-only connection; each statement sees the last commit before it. */
  <T> T read(SqlWork<T> work) throws SQLException {
    requireOpen();
    try (Connection c = readers.getConnection()) {
      return work.run(c);
    }
  }

  /**
   * Reserves the events table for one log: the log works out positions from the rows it stored
   * itself, which a second writer of events would make wrong.
   */
  void claimLog() {
    if (!logOpen.compareAndSet(false, true)) {
      throw new IllegalStateException("an event log is already open on " + file);
    }
  }

  void releaseLog() {
    logOpen.set(false);
  }

  /** Whether a thread waits to write (lets tests line up a group commit). */
  boolean hasQueuedWriters() {
    return writeLock.hasQueuedThreads();
  }

  /** Rolls back after {@code cause}; a failed COMMIT may have rolled back already. */
  static void rollbackQuietly(Statement s, Throwable cause) {
    try {
      s.executeUpdate("ROLLBACK");
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new UnavailableException("the SQLite store " + file + " is closed");
    }
  }

  /** Throws {@link UnavailableException} when the database cannot serve queries. */
  public void check() {
    try {
      read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
          return rs.next();
        }
      });
    } catch (SQLException e) {
      throw new UnavailableException("the SQLite store " + file + " cannot serve: " + e.getMessage(), e);
    }
  }

  /** Waits for writes in progress, then closes the writer connections and the reader pool. */
  @Override
  public void close() {
    writeLock.lock();
    projectionWriteLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      for (Connection c : new Connection[] {projectionWriter, writer}) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // Every transaction has ended by now, so nothing can be lost by a failing close.
        }
      }
      readers.close();
    } finally {
      projectionWriteLock.unlock();
      writeLock.unlock();
    }
  }
}
