package io.agentwatch.server.resilience;

import io.agentwatch.core.log.PositionStore;
import io.agentwatch.model.Cursor;
import java.util.Optional;

/** A {@link PositionStore} behind its backend's circuit breaker; loads are retried, saves are not. */
public final class GuardedPositionStore implements PositionStore {

  private final PositionStore store;
  private final BackendGuard guard;

  public GuardedPositionStore(PositionStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public Optional<Cursor> load(String reader) {
    return guard.read(() -> store.load(reader));
  }

  @Override
  public void save(String reader, Cursor position) {
    guard.write(() -> store.save(reader, position));
  }

  @Override
  public void clear(String reader) {
    guard.write(() -> store.clear(reader));
  }

  @Override
  public void check() {
    guard.check(store::check);
  }
}
