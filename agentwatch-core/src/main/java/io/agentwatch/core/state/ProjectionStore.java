package io.agentwatch.core.state;

import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where projections are kept between restarts, beside the log they are derived from, and where
 * snapshots for time travel live.
 *
 * <p>Contract (checked by {@code ProjectionStoreContract}): {@link #save} stores its rows and the
 * cursor they are current to in one atomic step, so a restart resumes from a consistent point;
 * {@link #clear} forgets everything (a rebuild starts from the log's beginning); snapshots are
 * write-once per (tenant, run, events) and come back ordered by {@code events}. Thread-safe; may
 * block on I/O.
 */
public interface ProjectionStore {

  /** One projected row: an agent, run or task of a tenant, as JSON. */
  record Row(String tenant, Kind kind, String key, String json) {}

  /** What a row holds; {@code TENANT} is the tenant's own totals (key {@code ""}). */
  enum Kind { AGENT, RUN, TASK, TENANT }

  /** What was saved last: the rows and the log position they reflect. */
  record Saved(Cursor cursor, List<Row> rows) {}

  /**
   * A run's state after its first {@code events} events in log order (whatever their times).
   *
   * @param cursor       the cursor of the last event included
   * @param events       how many of the run's events it includes
   * @param maxTs        the latest producer time among them
   * @param segmentMinTs the earliest producer time among the events since the previous snapshot
   * @param json         the run-scoped {@link Projection} as JSON
   */
  record RunSnapshot(Cursor cursor, long events, Instant maxTs, Instant segmentMinTs, String json) {}

  Optional<Saved> load();

  /** Upserts {@code rows} and records {@code cursor}, atomically. */
  void save(Cursor cursor, List<Row> rows);

  /** Forgets every row, the cursor and every snapshot. */
  void clear();

  List<RunSnapshot> snapshots(String tenant, String runId);

  /** Stores a snapshot unless one with the same (tenant, run, events) exists. */
  void saveSnapshot(String tenant, String runId, RunSnapshot snapshot);

  /** Throws when the store cannot serve. */
  void check();
}
