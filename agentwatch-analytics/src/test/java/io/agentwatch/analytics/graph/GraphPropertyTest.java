package io.agentwatch.analytics.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentwatch.analytics.AnalyticsConfig;
import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jgrapht.Graph;
import org.jgrapht.alg.cycle.HawickJamesSimpleCycles;
import org.jgrapht.alg.scoring.BetweennessCentrality;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleDirectedGraph;
import org.junit.jupiter.api.Test;

/**
 * The graph grown one event at a time (with reads in between) equals the graph computed from
 * scratch over the whole event set: edges recounted independently here, and metrics computed
 * afresh with JGraphT.
 */
class GraphPropertyTest {

  private static final long BASE_SEED = Long.getLong("analytics.seed", 7L);

  @Test
  void theIncrementalGraphEqualsTheGraphComputedFromScratch() {
    for (int i = 0; i < 20; i++) {
      long seed = BASE_SEED + i;
      Random random = new Random(seed);
      List<Event> events = randomInteractions(random, 3 + random.nextInt(10), 50 + random.nextInt(300));

      AnalyticsEngine incremental = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
      GraphReport midway = null;
      for (int k = 0; k < events.size(); k++) {
        incremental.apply("t", events.get(k), events.get(k).ts());
        if (k == events.size() / 2) {
          midway = GraphAnalysis.analyze(incremental.tenant("t").runGraph("r1"), GraphAnalysis.Limits.DEFAULTS);
        }
      }
      GraphReport grown = GraphAnalysis.analyze(incremental.tenant("t").runGraph("r1"), GraphAnalysis.Limits.DEFAULTS);
      assertThat(midway).as("seed %d", seed).isNotNull();

      Map<String, Long> expectedEdges = recount(events);
      Map<String, Long> actualEdges = new TreeMap<>();
      grown.edges().forEach(e -> actualEdges.put(e.from() + ">" + e.to() + ":" + e.kind(), e.count()));
      assertThat(actualEdges).as("seed %d: edges", seed).isEqualTo(expectedEdges);

      Graph<String, DefaultEdge> g = new SimpleDirectedGraph<>(DefaultEdge.class);
      events.forEach(e -> g.addVertex(e.agentId()));
      expectedEdges.keySet().forEach(k -> {
        String from = k.substring(0, k.indexOf('>'));
        String to = k.substring(k.indexOf('>') + 1, k.indexOf(':'));
        g.addVertex(to);
        g.addEdge(from, to);
      });
      assertThat(grown.metrics().nodes()).as("seed %d", seed).isEqualTo(g.vertexSet().size());
      assertThat(grown.metrics().linkedPairs()).as("seed %d", seed).isEqualTo(g.edgeSet().size());
      Map<String, Double> betweenness = new BetweennessCentrality<>(g, true).getScores();
      grown.nodes().forEach(n -> assertThat(n.betweenness()).as("seed %d: betweenness of %s", seed, n.id())
          .isCloseTo(betweenness.get(n.id()), within(1e-12)));
      HawickJamesSimpleCycles<String, DefaultEdge> cycles = new HawickJamesSimpleCycles<>(g);
      cycles.setPathLimit(GraphAnalysis.Limits.DEFAULTS.maxCycleLength());
      long count = cycles.countSimpleCycles();
      if (count <= GraphAnalysis.Limits.DEFAULTS.maxCycles()) {
        assertThat((long) grown.cycles().size()).as("seed %d: cycles", seed).isEqualTo(count);
      }

      AnalyticsEngine scratch = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
      events.forEach(e -> scratch.apply("t", e, e.ts()));
      assertThat(GraphAnalysis.analyze(scratch.tenant("t").runGraph("r1"), GraphAnalysis.Limits.DEFAULTS))
          .as("seed %d", seed).isEqualTo(grown);
    }
  }

  /** Messages, delegations, invocations and replies between random agents, in one run. */
  private static List<Event> randomInteractions(Random random, int agents, int count) {
    Script s = new Script("r1");
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      String a = "a" + random.nextInt(agents);
      String b = "a" + random.nextInt(agents);
      s.seconds(random.nextInt(5));
      switch (random.nextInt(4)) {
        case 0 -> s.message(a, b);
        case 1 -> s.assign(a, "t" + k, b);
        case 2 -> s.event("tool.called", a, null, b, "tool", "call");
        default -> {
          String parent = ids.isEmpty() ? null : ids.get(random.nextInt(ids.size()));
          s.event("log", a, parent, null, "level", "info", "message", "x");
        }
      }
      ids.add(s.last());
    }
    return s.events();
  }

  /** The edges by the definitions of {@link EdgeKind}, counted over the whole event set at once. */
  private static Map<String, Long> recount(List<Event> events) {
    Map<String, String> agentOf = new HashMap<>();
    Map<String, Long> edges = new TreeMap<>();
    for (Event e : events) {
      agentOf.put(e.id(), e.agentId());
      String to = switch (e.type()) {
        case "message.sent" -> e.data().get("to").stringValue();
        case "task.assigned" -> e.data().get("assignee").stringValue();
        default -> e.target();
      };
      String kind = switch (e.type()) {
        case "message.sent" -> "message";
        case "task.assigned" -> "delegation";
        default -> "invocation";
      };
      if (to != null && !to.equals(e.agentId())) {
        edges.merge(e.agentId() + ">" + to + ":" + kind, 1L, Long::sum);
      }
      if (e.parentId() != null && !agentOf.get(e.parentId()).equals(e.agentId())) {
        edges.merge(agentOf.get(e.parentId()) + ">" + e.agentId() + ":causal", 1L, Long::sum);
      }
    }
    return edges;
  }
}
