package io.agentwatch.server.resilience;

import io.agentwatch.core.rollup.RollupPoint;
import io.agentwatch.core.rollup.RollupQuery;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.model.Event;
import java.util.List;

/** A {@link RollupStore} behind its backend's circuit breaker; queries are retried, additions are not. */
public final class GuardedRollupStore implements RollupStore {

  private final RollupStore store;
  private final BackendGuard guard;

  public GuardedRollupStore(RollupStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public void add(String tenant, List<Event> events) {
    guard.write(() -> store.add(tenant, events));
  }

  @Override
  public List<RollupPoint> query(String tenant, RollupQuery query) {
    return guard.read(() -> store.query(tenant, query));
  }

  @Override
  public void check() {
    guard.check(store::check);
  }
}
