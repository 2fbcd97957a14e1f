package io.agentwatch.server.cluster;

import io.agentwatch.server.AgentwatchApplication;
import io.agentwatch.server.TestServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Agentwatch node as its own JVM (the test's classpath), so it can be killed with SIGKILL as a
 * machine failure would. Its output goes to a log file, shown when a test fails.
 */
final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final int port;
  private final Path log;
  private final Process process;

  private NodeProcess(String name, int port, Path log, Process process) {
    this.name = name;
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** Starts a node on a free port with the admin key of the tests and {@code args}. */
  static NodeProcess start(String name, Path dir, String... args) throws IOException {
    int port = TestPostgres.freePort();
    Files.createDirectories(dir);
    Path log = dir.resolve(name + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java,
        // Small and quick to start: three nodes share the machine with PostgreSQL and the test.
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), AgentwatchApplication.class.getName(),
        "--server.port=" + port, "--agentwatch.data-dir=" + dir.resolve(name),
        "--agentwatch.admin-key=" + TestServer.ADMIN_KEY, "--agentwatch.demo=false", "--logging.level.root=WARN"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new NodeProcess(name, port, log, process);
  }

  String name() {
    return name;
  }

  URI wsUri() {
    return URI.create("ws://127.0.0.1:" + port + "/api/v1/ws");
  }

  /** Waits until readiness says UP; fails with the end of the node's log otherwise. */
  NodeProcess awaitReady(int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + logTail());
      }
      if (readinessStatus() == 200) {
        return this;
      }
      sleep(200);
    }
    throw new AssertionError(name + " was not ready within " + seconds + " s:\n" + logTail());
  }

  /** The status code of {@code /actuator/health/readiness}, or -1 when the node does not answer. */
  int readinessStatus() {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the node gracefully (SIGTERM), forcibly after 30 s. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
