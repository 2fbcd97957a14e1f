package io.agentwatch.server.resilience;

import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;

/** An {@link EventStore} whose queries are retried and go through its backend's circuit breaker. */
public final class GuardedEventStore implements EventStore {

  private final EventStore store;
  private final BackendGuard guard;

  public GuardedEventStore(EventStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public EventPage query(String tenant, EventQuery query) {
    return guard.read(() -> store.query(tenant, query));
  }

  @Override
  public void check() {
    guard.check(store::check);
  }
}
