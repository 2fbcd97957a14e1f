package io.agentwatch.analytics.graph;

import java.time.Instant;
import java.util.List;

/**
 * An immutable copy of a {@link CausalGraph}, safe to analyse on any thread.
 *
 * @param clock the latest event time the graph has seen (the "now" of its recency scores), or null
 */
public record GraphData(List<Node> nodes, List<Edge> edges, Instant clock) {

  public GraphData {
    nodes = List.copyOf(nodes);
    edges = List.copyOf(edges);
  }

  /** What is known about an agent besides its links: null fields are unknown. */
  public record Agent(String role, String status, boolean quarantined, boolean offline, boolean lost) {}

  /** @param events how many events the agent sent in this graph's scope (0 for one only named as a target) */
  public record Node(String id, Agent agent, long events, Instant firstSeen, Instant lastSeen) {}

  /** @param latencyMeanMs null without samples */
  public record Edge(String from, String to, EdgeKind kind, long count, Instant firstSeen, Instant lastSeen,
                     long latencySamples, Double latencyMeanMs, Long latencyMaxMs) {}
}
