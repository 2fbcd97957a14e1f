package io.agentwatch.client;

/**
 * How much an event matters when the offline buffer is full. The buffer evicts the lowest class
 * first and never evicts {@link #CRITICAL} events; see {@link AgentwatchClient} for the policy.
 */
public enum Priority {
  /** Metric-like samples whose next value supersedes them: {@code metric}, {@code log}, {@code agent.heartbeat}. */
  LOW,
  /** Everything that is neither low nor critical: tool and model calls, messages, custom types. */
  NORMAL,
  /**
   * State that the dashboard, projections and detectors are built from: {@code task.*}, {@code run.*},
   * {@code agent.status}, {@code agent.registered}, {@code error.occurred}, {@code command.acknowledged}.
   */
  CRITICAL;

  /** The class of an event type, by the rules above. */
  public static Priority of(String type) {
    return switch (type) {
      case "metric", "log", "agent.heartbeat" -> LOW;
      case "agent.status", "agent.registered", "error.occurred", "command.acknowledged" -> CRITICAL;
      default -> type.startsWith("task.") || type.startsWith("run.") ? CRITICAL : NORMAL;
    };
  }
}
