package io.agentwatch.analytics.graph;

import java.time.Instant;
import java.util.List;

/**
 * A causal graph with its metrics, in the shape of API.md's {@code GET /api/v1/runs/{runId}/graph}:
 * {@code nodes}, {@code edges}, {@code metrics}, {@code cycles}.
 */
public record GraphReport(List<NodeReport> nodes, List<EdgeReport> edges, Metrics metrics, List<List<String>> cycles) {

  /**
   * @param betweenness normalised betweenness centrality (0..1), null when the graph is too large to compute it
   * @param clustering  local clustering coefficient of the undirected interaction graph
   */
  public record NodeReport(String id, String role, String status, boolean quarantined, boolean offline, boolean lost,
                           long events, Instant firstSeen, Instant lastSeen, int inDegree, int outDegree,
                           Double betweenness, double clustering) {}

  /**
   * @param strength 0..1: how often (1 - e^(-count/scale)) times how recently (halving every half-life
   *                 before the graph's latest event) the link was used
   */
  public record EdgeReport(String from, String to, String kind, long count, Instant firstSeen, Instant lastSeen,
                           Double latencyMeanMs, Long latencyMaxMs, long latencySamples, double strength) {}

  /**
   * @param edges              entries of the edge list (one per from, to and kind)
   * @param linkedPairs        distinct directed (from, to) pairs, whatever the kinds; density is over these
   * @param averagePathLength  mean hop count over the ordered pairs with a directed path, null when
   *                           none or when the graph is over {@code pathLimitNodes}
   * @param reachablePairs     how many ordered pairs that mean is over
   * @param cyclesTruncated    true when more cycles exist than were listed
   */
  public record Metrics(int nodes, int edges, int linkedPairs, double density, double averageClustering,
                        double globalClustering, Double averagePathLength, long reachablePairs,
                        List<String> isolatedNodes, int cycleCount, boolean cyclesTruncated, boolean pathMetricsSkipped,
                        Instant asOfEventTime) {}
}
