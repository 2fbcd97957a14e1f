package io.agentwatch.core.store;

import io.agentwatch.model.StoredEvent;
import java.util.List;

/**
 * Where a follower of the log hands events in batches: the history store behind
 * {@link EventStore}, or analytics.
 *
 * <p>Contract (checked by {@code EventSinkContract}): {@link #write} returns once the events are
 * durable in the sink; it is idempotent on (tenant, id): an event already written is skipped, so
 * a follower that crashed between writing and recording its progress may hand it again. Events of
 * any tenants may come in one batch and stay apart. Failures say what the follower should do:
 * {@link io.agentwatch.core.log.UnavailableException} means "try the same events again later";
 * any other exception means some event of the batch can never be written (the follower isolates
 * it and sets it aside). Thread-safe; blocks on I/O.
 */
public interface EventSink {

  void write(List<StoredEvent> events);

  /** Throws when the sink cannot take events (used by health checks); does nothing when it can. */
  default void check() {}
}
