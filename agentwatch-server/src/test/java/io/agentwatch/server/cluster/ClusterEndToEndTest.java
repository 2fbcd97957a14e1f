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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-node invariants with real processes: three nodes on one PostgreSQL (the log included,
 * {@code agentwatch.store=postgres}); agents publish over WebSocket through node 1 while dashboards
 * subscribe on nodes 2 and 3; node 1 is killed with SIGKILL mid-stream; the agents reconnect to
 * node 2 and send again what was not acknowledged, and one dashboard reconnects with its cursor.
 * At the end every acknowledged event is in PostgreSQL exactly once, each agent's events are in
 * its order, and each dashboard saw every stored event once, in each agent's order, with no gap.
 */
class ClusterEndToEndTest {

  private static final int AGENTS = 4;
  private static final int BATCHES = 50;
  private static final int BATCH = 20;
  private static final int KILL_AFTER_ACKED = 1_200;
  private static final String SCHEMA = "cluster";

  @TempDir
  Path dir;

  @Test
  void killingTheNodeAgentsPublishThroughLosesNothingAcknowledgedAndDashboardsOnOtherNodesSeeEveryEventOnce()
      throws Exception {
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"))) {
      List<NodeProcess> nodes = new ArrayList<>();
      try {
        for (int n = 1; n <= 3; n++) {
          nodes.add(NodeProcess.start("node" + n, dir, postgres.nodeArgs(SCHEMA)));
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

        Map<String, List<String>> stored = storedByAgent(postgres);
        int storedCount = stored.values().stream().mapToInt(List::size).sum();
        System.out.printf("node 1 killed after %d acknowledged events; %d events stored; %d sent again after the"
            + " failover were already stored%n", ackedAtKill, storedCount,
            agents.stream().mapToInt(ClusterAgent::duplicates).sum());
        for (ClusterAgent agent : agents) {
          List<String> mine = stored.getOrDefault(agent.agentId(), List.of());
          assertThat(mine).as("%s: each event once", agent.agentId()).doesNotHaveDuplicates()
              .containsAll(agent.acked());
          assertThat(mine).as("%s: in its order", agent.agentId()).isEqualTo(agent.sent());
        }

        for (ClusterDashboard dashboard : List.of(onNode2, onNode3)) {
          ClusterDashboard d = dashboard;
          TestServer.await(d.name() + " received every stored event", 60, () -> d.received() >= storedCount);
          d.close();
          assertThat(d.gaps()).as("%s: gap notices", d.name()).isZero();
          Map<String, List<String>> seen = d.seenByAgent();
          assertThat(seen).as("%s: every stored event once, in each agent's order", d.name()).isEqualTo(stored);
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
  }

  /** Every stored event of the agents, per agent in log order, read straight from PostgreSQL. */
  private static Map<String, List<String>> storedByAgent(TestPostgres postgres) throws Exception {
    Map<String, List<String>> byAgent = new LinkedHashMap<>();
    try (Connection c = postgres.connect(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT agent_id, id FROM " + SCHEMA
             + ".events WHERE type = 'log' ORDER BY partition, off")) {
      while (rs.next()) {
        byAgent.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return new HashMap<>(byAgent);
  }
}
