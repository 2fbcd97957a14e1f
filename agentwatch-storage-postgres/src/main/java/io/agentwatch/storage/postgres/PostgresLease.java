package io.agentwatch.storage.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A role that one node of a cluster holds at a time — the one that sends webhooks, say — held as
 * a PostgreSQL session-level advisory lock on a connection of its own. No election of our own:
 * PostgreSQL grants the lock to one session and releases it when that session ends, so when the
 * holder dies (its connection closes) another node takes the role at its next try.
 *
 * <p>A daemon thread tries to take the lock every {@code every} while it is not held, and while it
 * is, checks every {@code every} that its connection still answers; when it does not (PostgreSQL
 * down, network cut), {@link #held()} turns false at once and the connection is dropped, so the
 * role is given up before PostgreSQL can give the lock to anyone else. Only if the database ends
 * the session of a holder that still answers (an administrator's {@code pg_terminate_backend})
 * may two nodes act for up to {@code every} — which is why the roles it guards must be
 * at-least-once anyway. Thread-safe.
 */
public final class PostgresLease implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(PostgresLease.class.getName());

  private final PostgresDatabase db;
  private final String name;
  private final Duration every;
  private volatile boolean held;
  private volatile boolean running;
  private Connection connection;
  private Thread thread;

  private PostgresLease(PostgresDatabase db, String name, Duration every) {
    this.db = db;
    this.name = name;
    this.every = every;
  }

  /** Starts trying to take the role {@code name} (per store: the lock key includes the store id). */
  public static PostgresLease start(PostgresDatabase db, String name, Duration every) {
    PostgresLease lease = new PostgresLease(db, name, every);
    lease.running = true;
    lease.thread = Thread.ofPlatform().name("lease-" + name).daemon(true).start(lease::run);
    return lease;
  }

  /** Whether this node holds the role now. */
  public boolean held() {
    return held;
  }

  private void run() {
    while (running) {
      try {
        if (connection == null) {
          tryTake();
        } else {
          confirm();
        }
      } catch (SQLException e) {
        drop(e);
      }
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        break;
      }
    }
    drop(null);
  }

  private void tryTake() throws SQLException {
    Connection c = db.dedicatedConnection();
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(hashtextextended(?, 0))")) {
      ps.setString(1, db.storeId() + "/" + name);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getBoolean(1)) {
          connection = c;
          held = true;
          LOG.log(System.Logger.Level.INFO, "this node now holds the role " + name);
          return;
        }
      }
    } catch (SQLException e) {
      close(c);
      throw e;
    }
    close(c);
  }

  private void confirm() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.setQueryTimeout((int) Math.max(1, every.toSeconds()));
      s.execute("SELECT 1");
    }
  }

  private void drop(SQLException cause) {
    if (held) {
      LOG.log(System.Logger.Level.WARNING, "this node gives up the role " + name
          + (cause == null ? "" : ": " + cause.getMessage()));
    }
    held = false;
    if (connection != null) {
      close(connection);
      connection = null;
    }
  }

  private static void close(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // Closing a broken connection: PostgreSQL ends the session, and the lock with it.
    }
  }

  /** Gives up the role (the lock goes with the connection) and stops trying. */
  @Override
  public void close() {
    running = false;
    held = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
