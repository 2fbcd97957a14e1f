package io.agentwatch.server.cluster;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.TestServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-node invariants with real processes: three nodes; agents publish over WebSocket through
 * node 1 while dashboards subscribe on nodes 2 and 3; node 1 is killed with SIGKILL mid-stream; the
 * agents reconnect to node 2 and send again what was not acknowledged, and one dashboard reconnects
 * with its cursor. At the end every acknowledged event is in PostgreSQL exactly once, each agent's
 * events are in its order, and each dashboard saw every stored event once, in each agent's order,
 * with no gap. Once on PostgreSQL alone (the log included), once on Kafka, PostgreSQL and Redis.
 */
class ClusterEndToEndTest {

  private static final int AGENTS = 4;
  private static final int BATCHES = 50;
  private static final int BATCH = 20;
  private static final int KILL_AFTER_ACKED = 1_200;

  @TempDir
  Path dir;

  @Test
  void onPostgresAloneKillingTheNodeAgentsPublishThroughLosesNothingAndDashboardsSeeEveryEventOnce()
      throws Exception {
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"))) {
      killNodeOneMidStream(postgres, "solo_cluster", List.of(postgres.nodeArgs("solo_cluster")));
    }
  }

  @Test
  void onKafkaPostgresAndRedisKillingTheNodeAgentsPublishThroughLosesNothingAndDashboardsSeeEveryEventOnce()
      throws Exception {
    String redis = TestRedis.url();
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"));
         TestKafka kafka = TestKafka.start(dir.resolve("kafka"))) {
      List<String> args = new ArrayList<>(List.of(postgres.nodeArgs("kafka_cluster")));
      args.addAll(kafka.nodeArgs("cluster-events"));
      args.addAll(TestRedis.nodeArgs(redis, TestRedis.freshPrefix()));
      // Ids node 1 had reserved when it died are free again after this (30 s by default).
      args.addAll(List.of("--agentwatch.kafka.append-timeout=3s", "--agentwatch.kafka.id-reservation=8s"));
      killNodeOneMidStream(postgres, "kafka_cluster", args);
    }
  }

  private void killNodeOneMidStream(TestPostgres postgres, String schema, List<String> nodeArgs) throws Exception {
    List<NodeProcess> nodes = new ArrayList<>();
    try {
      for (int n = 1; n <= 3; n++) {
        nodes.add(NodeProcess.start("node" + n, dir, nodeArgs.toArray(String[]::new)));
      }
      for (NodeProcess node : nodes) {
        node.awaitReady(180);
      }
      NodeProcess node1 = nodes.get(0);
      NodeProcess node2 = nodes.get(1);
      NodeProcess node3 = nodes.get(2);

      ClusterDashboard onNode2 = ClusterDashboard.open("dashboard-2", node2.wsUri(), ADMIN_KEY, null);
      ClusterDashboard onNode3 = ClusterDashboard.open("dashboard-3", node3.wsUri(), ADMIN_KEY, null);
      List<ClusterAgent> agents = IntStream.range(0, AGENTS)
          .mapToObj(a -> new ClusterAgent("cluster-agent-" + a, "cluster-run-" + a, BATCHES, BATCH,
              List.of(node1.wsUri(), node2.wsUri()), ADMIN_KEY))
          .toList();
      List<Thread> running = agents.stream().map(a -> Thread.ofVirtual().name(a.agentId()).start(a)).toList();

      TestServer.await("agents acknowledged " + KILL_AFTER_ACKED + " events", 120,
          () -> agents.stream().mapToInt(ClusterAgent::ackedCount).sum() >= KILL_AFTER_ACKED);
      int ackedAtKill = agents.stream().mapToInt(ClusterAgent::ackedCount).sum();
      node1.kill();
      // A dashboard that loses its connection at the same time comes back with its cursor.
      onNode3 = onNode3.reconnect(node3.wsUri(), ADMIN_KEY);

      for (Thread t : running) {
        t.join(180_000);
        assertThat(t.isAlive()).as("%s finished", t.getName()).isFalse();
      }
      for (ClusterAgent agent : agents) {
        assertThat(agent.failure()).as(agent.agentId()).isNull();
        assertThat(agent.ackedCount()).as("%s: every batch acknowledged in the end", agent.agentId())
            .isEqualTo(BATCHES * BATCH);
        assertThat(agent.failedOver()).as("%s moved to node 2", agent.agentId()).isTrue();
      }

      // With Kafka as the log, the history is written by the persisting consumer group: let it catch up.
      int sent = AGENTS * BATCHES * BATCH;
      TestServer.await("PostgreSQL holds every event", 120, () -> count(postgres, schema) >= sent);
      Map<String, List<String>> stored = storedByAgent(postgres, schema);
      int storedCount = stored.values().stream().mapToInt(List::size).sum();
      System.out.printf("%s: node 1 killed after %d acknowledged events; %d events stored; %d sent again after the"
          + " failover were already stored; %d resends answered 503 first%n", schema, ackedAtKill, storedCount,
          agents.stream().mapToInt(ClusterAgent::duplicates).sum(), agents.stream().mapToInt(ClusterAgent::refusals).sum());
      for (ClusterAgent agent : agents) {
        List<String> mine = stored.getOrDefault(agent.agentId(), List.of());
        assertThat(mine).as("%s: each event once", agent.agentId()).doesNotHaveDuplicates()
            .containsAll(agent.acked());
        assertThat(mine).as("%s: in its order", agent.agentId()).isEqualTo(agent.sent());
      }

      for (ClusterDashboard dashboard : List.of(onNode2, onNode3)) {
        TestServer.await(dashboard.name() + " received every stored event", 60,
            () -> dashboard.received() >= storedCount);
        dashboard.close();
        assertThat(dashboard.gaps()).as("%s: gap notices", dashboard.name()).isZero();
        assertThat(dashboard.seenByAgent()).as("%s: every stored event once, in each agent's order", dashboard.name())
            .isEqualTo(stored);
      }
    } catch (AssertionError | RuntimeException e) {
      for (NodeProcess node : nodes) {
        System.err.println("---- " + node.name() + " ----\n" + node.logTail());
      }
      throw e;
    } finally {
      for (NodeProcess node : nodes) {
        node.close();
      }
    }
  }

  private static int count(TestPostgres postgres, String schema) {
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT count(*) FROM " + schema + ".events WHERE type = 'log'")) {
      rs.next();
      return rs.getInt(1);
    } catch (Exception e) {
      return -1;
    }
  }

  /** Every stored event of the agents, per agent in log order, read straight from PostgreSQL. */
  private static Map<String, List<String>> storedByAgent(TestPostgres postgres, String schema) throws Exception {
    Map<String, List<String>> byAgent = new HashMap<>();
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT agent_id, id FROM " + schema
             + ".events WHERE type = 'log' ORDER BY partition, off")) {
      while (rs.next()) {
        byAgent.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return byAgent;
  }
}
