package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the events table's time partitions ahead of the clock and applies the retention policy.
 *
 * <p>Partitions are {@link PostgresConfig#partitionInterval()} wide, aligned to the epoch (daily
 * ones start at 00:00 UTC), and named {@code events_p<yyyyMMddHH>} after their start.
 * {@link #maintain()} creates the one holding now and {@link PostgresConfig#partitionsAhead()}
 * more, and drops every partition that ends at or before now minus
 * {@link PostgresConfig#retention()} — a whole table at a time, no row-by-row delete. The
 * idempotency keys of the dropped events and minute rollups and task spans older than the
 * retention go with them, so a retry is recognised for as long as its event is kept. Hour
 * rollups are kept. Nodes may run it at once: it holds an advisory lock while it works.
 *
 * <p>With TimescaleDB the hypertable makes its chunks itself and {@code drop_chunks} applies the
 * retention. Time comes from the injected {@link Clock}.
 */
public final class PartitionMaintainer implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PartitionMaintainer.class.getName());
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);
  private static final String PREFIX = "events_p";

  /** What one run did. */
  public record Result(List<String> created, List<String> dropped) {}

  private final PostgresDatabase db;
  private final Clock clock;
  private final Duration interval;
  private ScheduledExecutorService schedule;

  public PartitionMaintainer(PostgresDatabase db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.interval = db.config().partitionInterval();
  }

  /** Whether {@code e} says an event's receive time has no partition (then create it and retry). */
  static boolean isMissingPartition(SQLException e) {
    return "23514".equals(e.getSQLState()) && String.valueOf(e.getMessage()).contains("no partition");
  }

  /** Runs {@link #maintain()} now and then every {@code every}, on a daemon thread, until closed. */
  public synchronized PartitionMaintainer start(Duration every) {
    if (schedule == null) {
      schedule = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("postgres-partition-maintainer").daemon(true).factory());
      schedule.scheduleWithFixedDelay(() -> {
        try {
          maintain();
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "partition maintenance failed; trying again in " + every, e);
        }
      }, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /**
   * Creates the partitions from now to {@code partitionsAhead} ahead and drops expired ones.
   *
   * @throws UnavailableException when the database fails
   */
  public Result maintain() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(db.config().retention());
    try {
      return db.inTransaction(c -> {
        lock(c);
        if (db.usesTimescale()) {
          return new Result(List.of(), dropChunks(c, cutoff));
        }
        List<String> created = new ArrayList<>();
        Instant start = startOf(now);
        for (int i = 0; i <= db.config().partitionsAhead(); i++) {
          if (create(c, start.plus(interval.multipliedBy(i)))) {
            created.add(name(start.plus(interval.multipliedBy(i))));
          }
        }
        List<String> dropped = new ArrayList<>();
        for (String table : partitions(c)) {
          Instant from = NAME.parse(table.substring(PREFIX.length()), Instant::from);
          if (!from.plus(interval).isAfter(cutoff)) {
            try (Statement s = c.createStatement()) {
              s.execute("DROP TABLE " + table);
            }
            dropped.add(table);
          }
        }
        // Kept partitions hold events received since the start of the one the cutoff falls in.
        prune(c, startOf(cutoff));
        return new Result(created, dropped);
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("maintain the events table's partitions", e);
    }
  }

  /** Creates the partition holding {@code t} if it is missing (the writer's fallback). */
  void ensureCovering(Instant t) throws SQLException {
    db.inTransaction(c -> {
      lock(c);
      create(c, startOf(t));
      return null;
    });
  }

  /** The names of the events table's partitions, oldest first. */
  public List<String> partitions() {
    try {
      return db.read(this::partitions);
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("list the events table's partitions", e);
    }
  }

  private List<String> partitions(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT child.relname FROM pg_inherits"
        + " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
        + " WHERE pg_inherits.inhparent = 'events'::regclass ORDER BY child.relname")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getString(1).startsWith(PREFIX)) {
            names.add(rs.getString(1));
          }
        }
      }
    }
    return names;
  }

  private Instant startOf(Instant t) {
    long width = interval.toSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), width) * width);
  }

  private static String name(Instant start) {
    return PREFIX + NAME.format(start);
  }

  private boolean create(Connection c, Instant start) throws SQLException {
    String table = name(start);
    try (PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      exists.setString(1, table);
      try (ResultSet rs = exists.executeQuery()) {
        rs.next();
        if (rs.getBoolean(1)) {
          return false;
        }
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + table + " PARTITION OF events FOR VALUES FROM ('" + Sql.timestamp(start)
          + "') TO ('" + Sql.timestamp(start.plus(interval)) + "')");
    }
    return true;
  }

  private void lock(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
      ps.setString(1, "agentwatch.partitions." + db.config().schema());
      ps.executeQuery().close();
    }
  }

  private static void prune(Connection c, Instant cutoff) throws SQLException {
    String at = Sql.timestamp(cutoff);
    for (String sql : new String[] {
        "DELETE FROM event_ids WHERE received_at < ?::timestamptz",
        "DELETE FROM rollup_minute WHERE bucket < ?::timestamptz",
        "DELETE FROM task_spans WHERE ended_at < ?::timestamptz"}) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setString(1, at);
        ps.executeUpdate();
      }
    }
  }

  private static List<String> dropChunks(Connection c, Instant cutoff) throws SQLException {
    List<String> dropped = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT drop_chunks('events', older_than => ?::timestamptz)")) {
      ps.setString(1, Sql.timestamp(cutoff));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          dropped.add(rs.getString(1));
        }
      }
    }
    prune(c, cutoff);
    return dropped;
  }

  @Override
  public synchronized void close() {
    if (schedule != null) {
      schedule.shutdownNow();
      schedule = null;
    }
  }
}
