package io.agentwatch.analytics.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GraphAnalysisTest {

  private static GraphReport report(Script s) {
    return GraphAnalysis.analyze(new Harness().feed(s.events()).tenant().runGraph("r1"), GraphAnalysis.Limits.DEFAULTS);
  }

  @Test
  void aThreeAgentCycleWithAnIsolatedAgentHasTheTextbookMetrics() {
    Script s = new Script("r1").message("a", "b").message("b", "c").message("c", "a").log("d");
    GraphReport r = report(s);
    assertThat(r.cycles()).containsExactly(List.of("a", "b", "c"));
    assertThat(r.metrics().isolatedNodes()).containsExactly("d");
    assertThat(r.metrics().averagePathLength()).isEqualTo(1.5);
    assertThat(r.metrics().reachablePairs()).isEqualTo(6);
    assertThat(r.metrics().globalClustering()).isEqualTo(1.0);
    assertThat(r.metrics().averageClustering()).isEqualTo(0.75);
    Map<String, Double> betweenness = r.nodes().stream()
        .collect(Collectors.toMap(GraphReport.NodeReport::id, GraphReport.NodeReport::betweenness));
    assertThat(betweenness.get("a")).isPositive().isEqualTo(betweenness.get("b")).isEqualTo(betweenness.get("c"));
    assertThat(betweenness.get("d")).isZero();
    assertThat(r.metrics().density()).isEqualTo(3 / 12.0);
  }

  @Test
  void edgesCarryKindCountRecencyAndTheLatencyOfReplies() {
    Script s = new Script("r1").assign("boss", "t1", "w1");
    String assigned = s.last();
    s.seconds(2).event("task.started", "w1", assigned, null, "taskId", "t1");
    s.message("w1", "boss");
    String question = s.last();
    s.seconds(4).reply("boss", "w1", question);
    s.event("tool.called", "w1", null, "search-agent", "tool", "search");
    GraphReport r = report(s);

    assertThat(r.edges()).extracting(e -> e.from() + ">" + e.to() + ":" + e.kind() + "x" + e.count()).containsExactly(
        "boss>w1:causal" + "x1", "boss>w1:delegation" + "x1", "boss>w1:message" + "x1", "w1>boss:causal" + "x1",
        "w1>boss:message" + "x1", "w1>search-agent:invocation" + "x1");
    GraphReport.EdgeReport delegation = r.edges().get(1);
    assertThat(delegation.latencyMeanMs()).as("assignment to pick-up").isEqualTo(2000.0);
    GraphReport.EdgeReport question2 = r.edges().get(4);
    assertThat(question2.latencyMeanMs()).as("message to reply").isEqualTo(4000.0);
    assertThat(r.edges()).allSatisfy(e -> assertThat(e.strength()).isBetween(0.0, 1.0));
  }

  @Test
  void anEdgeLosesStrengthAsItAgesAndGainsItWithUse() {
    Script s = new Script("r1").message("a", "b");
    for (int i = 0; i < 20; i++) {
      s.message("c", "d");
    }
    s.after(Duration.ofMinutes(10)).message("e", "f");
    GraphReport r = report(s);
    double old = r.edges().stream().filter(e -> e.from().equals("a")).findFirst().orElseThrow().strength();
    double busyOld = r.edges().stream().filter(e -> e.from().equals("c")).findFirst().orElseThrow().strength();
    double fresh = r.edges().stream().filter(e -> e.from().equals("e")).findFirst().orElseThrow().strength();
    assertThat(old).isCloseTo((1 - Math.exp(-0.1)) * 0.25, within(1e-4));
    assertThat(busyOld).isGreaterThan(old);
    assertThat(fresh).isCloseTo(1 - Math.exp(-0.1), within(1e-4));
  }

  @Test
  void quarantinedAndOfflineAgentsAreMarkedOnTheirNodes() {
    Script s = new Script("r1").register("w1", "worker").register("w2", "worker").register("w3", "worker")
        .message("w1", "w2").status("w2", "quarantined").status("w3", "offline").command("w1", "quarantine");
    // As the commands endpoint records it: under the agent the command is for.
    s.register("w4", "worker").event("command.issued", "w4", null, null, "type", "quarantine");
    GraphReport r = report(s);
    Map<String, GraphReport.NodeReport> nodes = r.nodes().stream()
        .collect(Collectors.toMap(GraphReport.NodeReport::id, n -> n));
    assertThat(nodes.get("w1").quarantined()).isTrue();
    assertThat(nodes.get("w2").quarantined()).isTrue();
    assertThat(nodes.get("w2").status()).isEqualTo("quarantined");
    assertThat(nodes.get("w3").offline()).isTrue();
    assertThat(nodes.get("w3").role()).isEqualTo("worker");
    assertThat(nodes.get("w4").quarantined()).isTrue();
    assertThat(nodes.get("w4").events()).as("a command is not the agent's own activity").isEqualTo(1);
    assertThat(nodes).doesNotContainKey("agentwatch-api");
  }

  @Test
  void cycleSearchAndPathMetricsStayWithinTheirLimits() {
    Script s = new Script("r1");
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 6; j++) {
        if (i != j) {
          s.message("n" + i, "n" + j);
        }
      }
    }
    GraphData data = new Harness().feed(s.events()).tenant().runGraph("r1");
    GraphReport r = GraphAnalysis.analyze(data, new GraphAnalysis.Limits(3, 10, 4, Duration.ofMinutes(5), 10));
    assertThat(r.cycles()).hasSize(10).allSatisfy(c -> assertThat(c.size()).isBetween(2, 4));
    assertThat(r.metrics().cyclesTruncated()).isTrue();
    assertThat(r.metrics().pathMetricsSkipped()).isTrue();
    assertThat(r.metrics().averagePathLength()).isNull();
    assertThat(r.nodes()).allSatisfy(n -> assertThat(n.betweenness()).isNull());
  }
}
