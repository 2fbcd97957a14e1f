package io.agentwatch.core.rollup;

import java.time.Instant;

/**
 * One bucket of a tenant's activity, summed over the runs and agents a {@link RollupQuery} asked
 * for. Events are counted in the bucket of their producer time {@code ts}.
 *
 * @param start          the bucket's first instant
 * @param events         events of any type the agents sent (not those the server writes itself:
 *                       {@code alert.*}, {@code command.issued}, {@code agent.edited},
 *                       {@code run.edited})
 * @param errors         {@code error.occurred}, {@code task.failed}, {@code tool.result} with an
 *                       {@code error}, and {@code log} at level {@code error} or {@code fatal}
 * @param inputTokens    sum of {@code llm.call} {@code inputTokens}
 * @param outputTokens   sum of {@code llm.call} {@code outputTokens}
 * @param costUsd        sum of {@code llm.call} {@code costUsd}
 * @param tasksStarted   {@code task.started} events
 * @param tasksCompleted {@code task.completed} events
 * @param tasksFailed    {@code task.failed} events
 * @param tasksTimed     tasks that ended in this bucket and whose start is known: the durations
 *                       the percentiles are taken over
 * @param taskP50Ms      median duration of the tasks that ended in this bucket (from their first
 *                       {@code task.started} to their last ending), null when none did
 * @param taskP95Ms      95th percentile of the same durations, null when none
 */
public record RollupPoint(
    Instant start,
    long events,
    long errors,
    long llmCalls,
    long inputTokens,
    long outputTokens,
    double costUsd,
    long tasksStarted,
    long tasksCompleted,
    long tasksFailed,
    long tasksTimed,
    Double taskP50Ms,
    Double taskP95Ms) {}
