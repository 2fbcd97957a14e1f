package io.agentwatch.core.log;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The durable, ordered log of events: the source of truth everything else is derived from.
 *
 * <p>Contract, held by every adapter and checked by {@code EventLogContract}:
 * <ul>
 *   <li><b>Durable before acknowledged.</b> The future of {@link #append} completes only after
 *       every accepted event survives a process or machine crash. If it completes exceptionally,
 *       none of the call's events may be assumed stored (a retry is harmless).</li>
 *   <li><b>Atomic per call.</b> The events of one {@link #append} call are stored all together
 *       or not at all (session uploads rely on it).</li>
 *   <li><b>Idempotent.</b> An event whose (tenant, id) is already in the log, or earlier in the
 *       same or a concurrent call, is reported as a duplicate and not stored again.</li>
 *   <li><b>Ordered.</b> Events of one call keep their order, and calls made one after another by
 *       the same thread are applied in that order. Each event gets a position (partition,
 *       offset); within a partition offsets grow in log order. Events of one (run, agent) always
 *       land in the same partition.</li>
 *   <li><b>Resumable.</b> {@link #read} returns, in log order, the events not covered by a
 *       cursor; the cursor of the last returned event resumes exactly after it.</li>
 *   <li><b>Live.</b> Every listener given to {@link #tail} receives each event appended after it
 *       was registered exactly once, in log order per partition, after it is durable, on a
 *       thread that is not the caller's. Listeners must not block.</li>
 * </ul>
 * All methods are thread-safe. {@link #append} does not block; {@link #read} may block on I/O.
 */
public interface EventLog extends AutoCloseable {

  /** Identity of the store behind this log; carried in every cursor it makes. */
  String storeId();

  /** The cursor covering every event currently in the log. */
  Cursor head();

  /** The cursor before every event (where a reader without a cursor starts a full replay). */
  Cursor beginning();

  /**
   * Appends events of one tenant; completes with one result per event, in the given order,
   * once the accepted ones are durable.
   *
   * @throws UnavailableException (possibly through the future) when the log cannot accept now
   */
  CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events);

  /**
   * Up to {@code limit} events of {@code tenant} matching {@code filter} that {@code after} does
   * not cover, in log order. A finite read: returns fewer (possibly none) at the head.
   *
   * @throws StaleCursorException when {@code after} comes from another store
   */
  List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit);

  /**
   * Up to {@code limit} events of every tenant that {@code after} does not cover, in log order:
   * the pipeline's own readers (projections, analytics) follow the whole log with it.
   *
   * @throws StaleCursorException when {@code after} comes from another store
   */
  List<StoredEvent> readAll(Cursor after, int limit);

  /**
   * Registers a listener for events appended from now on (all tenants), until the returned
   * handle is closed.
   */
  AutoCloseable tail(Consumer<List<StoredEvent>> listener);

  /** Throws when the log cannot serve (used by health checks); does nothing when it can. */
  void check();

  /** Stops accepting appends, finishes those in flight, and releases resources. */
  @Override
  void close();
}
