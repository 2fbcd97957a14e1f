package io.agentwatch.server.ingest;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Event;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Stores events that are already valid (a session upload, events translated from another wire
 * format) in one atomic append and returns only once they are durable: the acknowledgement
 * semantics of {@code POST /api/v1/events} for callers that built their events themselves. Refused
 * while shutting down (503) and beyond the tenant's rate (429), both with {@code Retry-After}.
 * Stateless and thread-safe.
 */
public final class DurableAppend {

  private final EventLog log;
  private final PipelineMetrics metrics;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;

  public DurableAppend(EventLog log, PipelineMetrics metrics, TenantRateLimits rateLimits, Lifecycle lifecycle) {
    this.log = log;
    this.metrics = metrics;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
  }

  /**
   * One result per event, in order, once every accepted event is durable.
   *
   * @throws ApiException         503 while shutting down, 429 over the tenant's rate
   * @throws UnavailableException when the log cannot accept now (answered 503)
   */
  public List<AppendResult> append(String tenant, List<Event> events) {
    lifecycle.requireAccepting();
    if (events.isEmpty()) {
      return List.of();
    }
    rateLimits.acquire(tenant, events.size());
    long started = System.nanoTime();
    metrics.received(events.size());
    List<AppendResult> results;
    try {
      results = log.append(tenant, events).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof UnavailableException u ? u : e;
    }
    int duplicates = (int) results.stream().filter(AppendResult::isDuplicate).count();
    metrics.accepted(results.size() - duplicates);
    metrics.duplicates(duplicates);
    metrics.acked(System.nanoTime() - started);
    return results;
  }
}
