package io.agentwatch.server.cluster;

import io.agentwatch.core.testing.RequiredService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker (KRaft, one node as broker and controller) run from the Maven jars as its own
 * process — {@code kafka.tools.StorageTool format}, then {@code kafka.Kafka} — on a fixed port and
 * log folder, so it can be stopped and started again as the same broker. When it cannot start,
 * the test is skipped loudly (failed under {@code -Dagentwatch.requireServices=true}).
 */
final class TestKafka implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final Path config;
  private Process broker;

  private TestKafka(Path dir, int port, Path config) {
    this.dir = dir;
    this.port = port;
    this.config = config;
  }

  static TestKafka start(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    int port = TestPostgres.freePort();
    int controller = TestPostgres.freePort();
    Path config = dir.resolve("server.properties");
    Files.writeString(config, String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controller,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("logs"),
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=3",
        "group.initial.rebalance.delay.ms=0",
        "group.consumer.min.session.timeout.ms=1000",
        "group.consumer.heartbeat.interval.ms=500",
        "group.consumer.min.heartbeat.interval.ms=500",
        "auto.create.topics.enable=false",
        "num.network.threads=2",
        "num.io.threads=2",
        ""));
    TestKafka kafka = new TestKafka(dir, port, config);
    int formatted = kafka.java("format.log", "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
        "-c", config.toString()).waitFor();
    RequiredService.require(formatted == 0, "a Kafka broker (formatting its storage exited with " + formatted + ", see "
        + dir.resolve("format.log") + ")", "it runs from the kafka_2.13 test jar; check the JVM can bind 127.0.0.1");
    kafka.restart();
    return kafka;
  }

  /** Starts the broker (again) on the same port and log folder, and waits until it listens. */
  synchronized void restart() throws IOException, InterruptedException {
    broker = java("broker.log", "kafka.Kafka", config.toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!listening()) {
      if (!broker.isAlive() || System.nanoTime() > deadline) {
        broker.destroyForcibly();
        RequiredService.require(false, "a Kafka broker (see " + dir.resolve("broker.log") + ")",
            "it runs from the kafka_2.13 test jar; check the JVM can bind 127.0.0.1");
      }
      Thread.sleep(100);
    }
  }

  /** Stops the broker as an operator would (SIGTERM, a controlled shutdown). */
  synchronized void stop() throws InterruptedException {
    if (broker != null && broker.isAlive()) {
      broker.destroy();
      if (!broker.waitFor(60, TimeUnit.SECONDS)) {
        broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** The server options of a node on this broker: the log on a topic of one replica. */
  List<String> nodeArgs(String topic) {
    return List.of("--agentwatch.log=kafka", "--agentwatch.kafka.bootstrap=" + bootstrap(),
        "--agentwatch.kafka.topic=" + topic, "--agentwatch.kafka.partitions=4",
        "--agentwatch.kafka.replication-factor=1", "--agentwatch.kafka.persister.group=" + topic + "-history",
        "--agentwatch.kafka.persister.retry-backoff=200ms");
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Process java(String log, String main, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
        "-cp", System.getProperty("java.class.path"), main));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile())).start();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
