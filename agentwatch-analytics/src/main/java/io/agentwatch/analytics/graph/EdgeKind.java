package io.agentwatch.analytics.graph;

import java.util.Locale;

/** Why one agent is linked to another in the causal graph. */
public enum EdgeKind {
  /** {@code message.sent}: from the sender to {@code data.to}. */
  MESSAGE,
  /** {@code task.assigned} or {@code task.created} with an assignee: from the delegating agent to the assignee. */
  DELEGATION,
  /** An event whose {@code parentId} is an event of another agent: from the parent's agent to the child's. */
  CAUSAL,
  /** Any other event with a {@code target} (a tool or agent call): from the caller to the target. */
  INVOCATION;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
