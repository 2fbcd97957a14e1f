package io.agentwatch.analytics.graph;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jgrapht.Graph;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.cycle.HawickJamesSimpleCycles;
import org.jgrapht.alg.interfaces.ShortestPathAlgorithm.SingleSourcePaths;
import org.jgrapht.alg.scoring.BetweennessCentrality;
import org.jgrapht.alg.scoring.ClusteringCoefficient;
import org.jgrapht.alg.shortestpath.BFSShortestPath;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleDirectedGraph;
import org.jgrapht.graph.SimpleGraph;

/**
 * Graph metrics of a {@link GraphData}, computed with JGraphT: simple cycles (bounded in length and
 * number), betweenness centrality, clustering coefficients, average shortest path length and
 * isolated agents. Pure: the same data always gives the same report.
 */
public final class GraphAnalysis {

  /**
   * Bounds that keep an answer affordable on large graphs.
   *
   * @param pathLimitNodes   above this many agents, betweenness and path lengths (O(V·E)) are skipped
   * @param maxCycles        at most this many cycles are listed
   * @param maxCycleLength   only cycles of at most this many agents are looked for
   * @param strengthHalfLife how fast an edge's strength fades after its last use
   * @param strengthScale    how many uses make an edge's frequency factor reach 1 - 1/e
   */
  public record Limits(int pathLimitNodes, int maxCycles, int maxCycleLength, Duration strengthHalfLife,
                       double strengthScale) {

    public static final Limits DEFAULTS = new Limits(2000, 100, 8, Duration.ofMinutes(5), 10);

    public Limits {
      if (pathLimitNodes < 0) {
        throw new IllegalArgumentException("pathLimitNodes must be >= 0 but was " + pathLimitNodes);
      }
      if (maxCycles < 0) {
        throw new IllegalArgumentException("maxCycles must be >= 0 but was " + maxCycles);
      }
      if (maxCycleLength < 2) {
        throw new IllegalArgumentException("maxCycleLength must be >= 2 but was " + maxCycleLength);
      }
      if (strengthHalfLife == null || strengthHalfLife.isNegative() || strengthHalfLife.isZero()) {
        throw new IllegalArgumentException("strengthHalfLife must be positive but was " + strengthHalfLife);
      }
      if (!(strengthScale > 0)) {
        throw new IllegalArgumentException("strengthScale must be positive but was " + strengthScale);
      }
    }
  }

  private GraphAnalysis() {}

  public static GraphReport analyze(GraphData data, Limits limits) {
    Graph<String, DefaultEdge> directed = new SimpleDirectedGraph<>(DefaultEdge.class);
    Graph<String, DefaultEdge> undirected = new SimpleGraph<>(DefaultEdge.class);
    for (GraphData.Node n : data.nodes()) {
      directed.addVertex(n.id());
      undirected.addVertex(n.id());
    }
    for (GraphData.Edge e : data.edges()) {
      directed.addEdge(e.from(), e.to());
      undirected.addEdge(e.from(), e.to());
    }
    int v = directed.vertexSet().size();
    boolean pathsSkipped = v > limits.pathLimitNodes();
    Map<String, Double> betweenness = pathsSkipped ? Map.of() : new BetweennessCentrality<>(directed, true).getScores();
    ClusteringCoefficient<String, DefaultEdge> clustering = new ClusteringCoefficient<>(undirected);
    Map<String, Double> localClustering = clustering.getScores();

    List<GraphReport.NodeReport> nodes = new ArrayList<>(v);
    List<String> isolated = new ArrayList<>();
    for (GraphData.Node n : data.nodes()) {
      int in = directed.inDegreeOf(n.id());
      int out = directed.outDegreeOf(n.id());
      if (in + out == 0) {
        isolated.add(n.id());
      }
      GraphData.Agent a = n.agent();
      nodes.add(new GraphReport.NodeReport(n.id(), a.role(), a.status(), a.quarantined(), a.offline(), a.lost(),
          n.events(), n.firstSeen(), n.lastSeen(), in, out, pathsSkipped ? null : betweenness.get(n.id()),
          localClustering.getOrDefault(n.id(), 0.0)));
    }
    List<GraphReport.EdgeReport> edges = new ArrayList<>(data.edges().size());
    for (GraphData.Edge e : data.edges()) {
      edges.add(new GraphReport.EdgeReport(e.from(), e.to(), e.kind().label(), e.count(), e.firstSeen(),
          e.lastSeen(), e.latencyMeanMs(), e.latencyMaxMs(), e.latencySamples(), strength(e, data, limits)));
    }

    PathLengths paths = pathsSkipped ? new PathLengths(0, 0) : pathLengths(directed);
    Cycles cycles = cycles(directed, limits);
    int links = directed.edgeSet().size();
    double density = v < 2 ? 0 : links / ((double) v * (v - 1));
    GraphReport.Metrics metrics = new GraphReport.Metrics(v, data.edges().size(), links, density,
        v == 0 ? 0 : clustering.getAverageClusteringCoefficient(), v == 0 ? 0 : clustering.getGlobalClusteringCoefficient(),
        paths.pairs == 0 ? null : paths.total / (double) paths.pairs, paths.pairs, List.copyOf(isolated),
        cycles.found.size(), cycles.truncated, pathsSkipped, data.clock());
    return new GraphReport(List.copyOf(nodes), List.copyOf(edges), metrics, cycles.found);
  }

  private static double strength(GraphData.Edge e, GraphData data, Limits limits) {
    double frequency = 1 - Math.exp(-e.count() / limits.strengthScale());
    double ageSeconds = data.clock() == null ? 0
        : Math.max(0, Duration.between(e.lastSeen(), data.clock()).toMillis() / 1000.0);
    double recency = Math.pow(0.5, ageSeconds / (limits.strengthHalfLife().toMillis() / 1000.0));
    return Math.round(frequency * recency * 10_000) / 10_000.0;
  }

  private record PathLengths(long total, long pairs) {}

  /** Hop counts of the shortest directed path between every ordered pair that has one: one BFS per agent. */
  private static PathLengths pathLengths(Graph<String, DefaultEdge> g) {
    long total = 0;
    long pairs = 0;
    BFSShortestPath<String, DefaultEdge> bfs = new BFSShortestPath<>(g);
    for (String source : g.vertexSet()) {
      SingleSourcePaths<String, DefaultEdge> from = bfs.getPaths(source);
      for (String target : g.vertexSet()) {
        if (!target.equals(source)) {
          GraphPath<String, DefaultEdge> path = from.getPath(target);
          if (path != null) {
            total += path.getLength();
            pairs++;
          }
        }
      }
    }
    return new PathLengths(total, pairs);
  }

  private record Cycles(List<List<String>> found, boolean truncated) {}

  /** Thrown to end the cycle search once enough cycles were found. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }

  private static Cycles cycles(Graph<String, DefaultEdge> g, Limits limits) {
    List<List<String>> found = new ArrayList<>();
    boolean truncated = false;
    HawickJamesSimpleCycles<String, DefaultEdge> search = new HawickJamesSimpleCycles<>(g);
    search.setPathLimit(limits.maxCycleLength());
    try {
      search.findSimpleCycles(cycle -> {
        if (cycle.size() < 2 || cycle.size() > limits.maxCycleLength()) {
          return;
        }
        if (found.size() == limits.maxCycles()) {
          throw new Enough();
        }
        found.add(canonical(cycle));
      });
    } catch (Enough e) {
      truncated = true;
    }
    found.sort(Comparator.<List<String>>comparingInt(List::size).thenComparing(c -> String.join("\u0000", c)));
    return new Cycles(List.copyOf(found), truncated);
  }

  /** The cycle rotated to start at its smallest agent id, direction kept. */
  public static List<String> canonical(List<String> cycle) {
    int start = cycle.indexOf(Collections.min(cycle));
    List<String> rotated = new ArrayList<>(cycle.size());
    for (int i = 0; i < cycle.size(); i++) {
      rotated.add(cycle.get((start + i) % cycle.size()));
    }
    return List.copyOf(rotated);
  }
}
