package io.agentwatch.core.store;

/**
 * Queryable history of the events in the log, by run, agent, type and producer time, paged with
 * cursors.
 *
 * <p>Contract (checked by {@code EventStoreContract}): results are in log order and belong to
 * the given tenant only; following {@code next} from page to page yields every matching event
 * exactly once; a cursor from another store raises
 * {@link io.agentwatch.core.log.StaleCursorException}. Thread-safe; may block on I/O.
 */
public interface EventStore {

  EventPage query(String tenant, EventQuery query);

  /** Throws when the store cannot serve (used by health checks). */
  void check();
}
