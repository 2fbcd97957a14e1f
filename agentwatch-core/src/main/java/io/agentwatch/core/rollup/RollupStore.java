package io.agentwatch.core.rollup;

import io.agentwatch.model.Event;
import java.util.List;

/**
 * Per-minute and per-hour aggregates of each tenant's events per (run, agent), kept current as
 * events are stored, for the metrics API ({@code GET /api/v1/metrics}).
 *
 * <p>Contract (checked by {@code RollupStoreContract}): what {@link #add} was given is visible to
 * {@link #query} once it returns; counts and sums are exact; task percentiles are
 * {@code percentile_cont} (linear interpolation) over the durations of the tasks whose ending lies
 * in the bucket; tenants never see each other's numbers. What one event adds is defined by
 * {@link RollupDelta}, shared by every adapter. Thread-safe; may block on I/O.
 */
public interface RollupStore {

  /**
   * Adds the contribution of {@code events}, each of which must be given once (pass only events
   * the log accepted, not duplicates). An adapter whose log keeps the rollups itself, in the
   * same transaction as the events, says so; then nobody calls this for that log's events.
   */
  void add(String tenant, List<Event> events);

  /** The buckets that have any event, oldest first. */
  List<RollupPoint> query(String tenant, RollupQuery query);

  /** Throws when the store cannot serve (used by health checks). */
  void check();
}
