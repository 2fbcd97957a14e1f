package io.agentwatch.server.resilience;

import io.agentwatch.core.auth.TicketStore;
import java.util.Optional;

/** A {@link TicketStore} behind its backend's circuit breaker; neither call is retried (both change the store). */
public final class GuardedTicketStore implements TicketStore {

  private final TicketStore store;
  private final BackendGuard guard;

  public GuardedTicketStore(TicketStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public void put(String digest, Held ticket) {
    guard.write(() -> store.put(digest, ticket));
  }

  @Override
  public Optional<Held> take(String digest) {
    return guard.write(() -> store.take(digest));
  }
}
