package io.agentwatch.analytics.rollup;

import java.time.Instant;

/**
 * One event-time bucket of a rollup series.
 *
 * @param eventsPerSecond events divided by the bucket's length
 * @param errors          events that report a failure (see {@code EventFacts.isError})
 * @param tasks           tasks that ended (completed or failed) in the bucket after being started
 * @param taskP50Ms       nearest-rank median of those tasks' durations (start to end), null without tasks
 * @param taskP95Ms       nearest-rank 95th percentile of the same, null without tasks
 */
public record RollupPoint(Instant start, Instant end, long events, double eventsPerSecond, long errors,
                          double errorRate, int tasks, Long taskP50Ms, Long taskP95Ms, long llmCalls,
                          long inputTokens, long outputTokens, long tokens, double costUsd) {}
