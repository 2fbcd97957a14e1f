package io.agentwatch.bench;

import io.agentwatch.storage.sqlite.SqliteDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.sqlite.SQLiteConfig;

/**
 * What SQLite alone does on this machine with the same rows and the same durability: batched
 * inserts of the bench's ~1 KB events into a fresh file with the server's schema for events
 * (UNIQUE (tenant, id) and the four secondary indexes of agentwatch-storage-sqlite's
 * {@code Schema}), WAL, {@code synchronous=FULL}, the server writer's cache and checkpoint
 * settings, and the server's insert statement. No network, no JSON parsing, no validation: the
 * ceiling the embedded pipeline can approach.
 */
final class SqliteBaseline {

  /**
   * @param rowsPerSecond   throughput with {@code rowsPerTransaction} rows per commit
   * @param bigCommits      time of each big transaction (BEGIN to durable COMMIT)
   * @param smallCommits    time of each transaction of {@code smallRows} rows: the fsync floor of an ack
   */
  record Result(long rows, double seconds, double rowsPerSecond, int rowsPerTransaction, Latency bigCommits,
                int smallRows, Latency smallCommits, CpuMeter.Share cpu) {}

  private static final int AGENTS = 8;

  private final Path dir;
  private final CpuMeter cpu;

  SqliteBaseline(Path dir, CpuMeter cpu) {
    this.dir = dir;
    this.cpu = cpu;
  }

  Result run(Duration duration, int rowsPerTransaction, Duration smallDuration, int smallRows)
      throws SQLException, IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("baseline.db");
    deleteDb(file);
    Envelopes envelopes = new Envelopes("baseline");
    try (Connection c = config().createConnection("jdbc:sqlite:" + file)) {
      try (Statement s = c.createStatement()) {
        for (String sql : SqliteDatabase.eventsTableSql()) {
          s.executeUpdate(sql);
        }
      }
      try (PreparedStatement insert = c.prepareStatement(SqliteDatabase.eventInsertSql()); Statement s = c.createStatement()) {
        Writer writer = new Writer(envelopes, insert, s);
        CpuMeter.Sample before = cpu.sample();
        long start = System.nanoTime();
        Histogram big = writer.commitFor(start + duration.toNanos(), rowsPerTransaction);
        long rows = writer.seq;
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Share share = CpuMeter.between(before, cpu.sample());
        Histogram small = writer.commitFor(System.nanoTime() + smallDuration.toNanos(), smallRows);
        return new Result(rows, seconds, rows / seconds, rowsPerTransaction, Latency.of(big), smallRows,
            Latency.of(small), share);
      }
    } finally {
      deleteDb(file);
    }
  }

  /** The server writer's settings (SqliteDatabase#writerConfig). */
  private static SQLiteConfig config() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setCacheSize(-16 * 1024);
    config.setJournalSizeLimit(64 * 1024 * 1024);
    config.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, "10000");
    config.setGetGeneratedKeys(false);
    return config;
  }

  private static final class Writer {
    private final Envelopes envelopes;
    private final PreparedStatement insert;
    private final Statement s;
    private final StringBuilder body = new StringBuilder(Envelopes.MESSAGE_CHARS + 256);
    private long seq;

    Writer(Envelopes envelopes, PreparedStatement insert, Statement s) {
      this.envelopes = envelopes;
      this.insert = insert;
      this.s = s;
    }

    /** Commits transactions of {@code rows} rows until {@code deadline}; returns their times in µs. */
    Histogram commitFor(long deadline, int rows) throws SQLException {
      Histogram commits = Latency.newMicrosHistogram();
      while (System.nanoTime() < deadline) {
        long started = System.nanoTime();
        Instant now = Instant.now();
        String ts = now.toString();
        long receivedMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        s.executeUpdate("BEGIN IMMEDIATE");
        for (int i = 0; i < rows; i++) {
          int agent = (int) (seq % AGENTS);
          body.setLength(0);
          envelopes.appendEvent(body, agent, seq, ts, started);
          insert.setLong(1, seq);
          insert.setString(2, "default");
          insert.setString(3, envelopes.runId() + "." + agent + "." + seq);
          insert.setString(4, "log");
          insert.setString(5, "agent-" + agent);
          insert.setString(6, envelopes.runId());
          insert.setLong(7, now.getEpochSecond());
          insert.setInt(8, now.getNano());
          insert.setLong(9, receivedMicros);
          insert.setString(10, body.toString());
          insert.addBatch();
          seq++;
        }
        insert.executeBatch();
        s.executeUpdate("COMMIT");
        commits.recordValue((System.nanoTime() - started) / 1000);
      }
      return commits;
    }
  }

  private static void deleteDb(Path file) throws IOException {
    try (Stream<Path> files = Files.list(file.getParent())) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        if (p.getFileName().toString().startsWith(file.getFileName().toString())) {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
