package io.agentwatch.core;

/**
 * What the pipeline reports about itself. Core calls these on hot paths, so implementations must
 * be cheap and must not block; the server binds them to Micrometer. Every method defaults to
 * doing nothing.
 */
public interface PipelineMetrics {

  PipelineMetrics NONE = new PipelineMetrics() {};

  /** Events offered for ingest (valid or not). */
  default void received(int events) {}

  default void accepted(int events) {}

  default void duplicates(int events) {}

  default void rejected(int events) {}

  /** Time from receiving a batch to its acknowledgement (durable). */
  default void acked(long nanos) {}

  /** Time from an event's receipt to its hand-over to a live subscriber's connection. */
  default void delivered(long nanos) {}

  /** A metric-like event replaced an older one of the same key in a conflating subscriber's queue. */
  default void conflated() {}

  /** A live subscriber fell behind (its queue overflowed) and goes on reading from the log. */
  default void fellBehind() {}

  /** A stream ended with a {@code gap} notice (shutdown, revoked key, store unavailable). */
  default void gap() {}
}
