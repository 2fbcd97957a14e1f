package io.agentwatch.analytics.graph;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The agents of a run (or of a whole tenant) and the links between them, with counts, first and
 * last time seen and latencies. Grows incrementally, one event at a time; {@link #snapshot} copies
 * it for analysis outside the owner's lock. Not thread-safe.
 */
public final class CausalGraph {

  private record EdgeKey(String from, String to, EdgeKind kind) {}

  private static final class NodeStats {
    long events;
    Instant firstSeen;
    Instant lastSeen;
  }

  private static final class EdgeStats {
    long count;
    Instant firstSeen;
    Instant lastSeen;
    long latencySamples;
    double latencySumMs;
    long latencyMaxMs;
  }

  private final Map<String, NodeStats> nodes = new HashMap<>();
  private final Map<EdgeKey, EdgeStats> edges = new HashMap<>();
  private Instant clock;

  /** {@code agentId} sent an event at {@code ts}. */
  public void sent(String agentId, Instant ts) {
    NodeStats n = nodes.computeIfAbsent(agentId, k -> new NodeStats());
    n.events++;
    n.firstSeen = min(n.firstSeen, ts);
    n.lastSeen = max(n.lastSeen, ts);
    clock = max(clock, ts);
  }

  public void link(Interaction i) {
    nodes.computeIfAbsent(i.from(), k -> new NodeStats());
    nodes.computeIfAbsent(i.to(), k -> new NodeStats());
    EdgeStats e = edges.computeIfAbsent(new EdgeKey(i.from(), i.to(), i.kind()), k -> new EdgeStats());
    if (i.counted()) {
      e.count++;
      e.firstSeen = min(e.firstSeen, i.ts());
      e.lastSeen = max(e.lastSeen, i.ts());
    }
    if (i.latencyMs() >= 0) {
      e.latencySamples++;
      e.latencySumMs += i.latencyMs();
      e.latencyMaxMs = Math.max(e.latencyMaxMs, i.latencyMs());
    }
    clock = max(clock, i.ts());
  }


  /**
   * A copy of the graph, nodes sorted by id and edges by (from, to, kind), each node described by
   * {@code describe} (role, status… as the caller knows them).
   */
  public GraphData snapshot(Function<String, GraphData.Agent> describe) {
    List<GraphData.Node> nodeList = new ArrayList<>(nodes.size());
    nodes.forEach((id, n) -> nodeList.add(new GraphData.Node(id, describe.apply(id), n.events, n.firstSeen,
        n.lastSeen)));
    nodeList.sort(Comparator.comparing(GraphData.Node::id));
    List<GraphData.Edge> edgeList = new ArrayList<>(edges.size());
    edges.forEach((k, e) -> {
      // A link that so far only carries latency samples (its counting event is older than the parent memory) is not shown.
      if (e.count > 0) {
        edgeList.add(new GraphData.Edge(k.from(), k.to(), k.kind(), e.count, e.firstSeen, e.lastSeen,
            e.latencySamples, e.latencySamples == 0 ? null : e.latencySumMs / e.latencySamples,
            e.latencySamples == 0 ? null : e.latencyMaxMs));
      }
    });
    edgeList.sort(Comparator.comparing(GraphData.Edge::from).thenComparing(GraphData.Edge::to)
        .thenComparing(e -> e.kind().label()));
    return new GraphData(nodeList, edgeList, clock);
  }

  private static Instant min(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }
}
