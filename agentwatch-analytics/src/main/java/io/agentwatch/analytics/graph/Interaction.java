package io.agentwatch.analytics.graph;

import java.time.Instant;

/**
 * One link between two different agents that an event shows.
 *
 * @param latencyMs the delay this link measures (parent to child, message to reply), or -1
 * @param counted   false for a link that only adds a latency sample to an edge an earlier event made
 *                  (a reply measures the delay of the message it answers)
 */
public record Interaction(String from, String to, EdgeKind kind, Instant ts, String eventId, long latencyMs,
                          boolean counted) {

  /** Whether detectors that follow work being passed around (routing loops, cascades) consider it. */
  public boolean passesWork() {
    return counted && (kind == EdgeKind.MESSAGE || kind == EdgeKind.DELEGATION);
  }
}
