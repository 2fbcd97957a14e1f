package io.agentwatch.server.resilience;

import io.agentwatch.core.ingest.IdempotencyStore;

/** An {@link IdempotencyStore} behind its backend's circuit breaker (every call changes state: never retried). */
public final class GuardedIdempotencyStore implements IdempotencyStore {

  private final IdempotencyStore store;
  private final BackendGuard guard;

  public GuardedIdempotencyStore(IdempotencyStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public Claim claim(String tenant, String key, byte[] bodyHash) {
    return guard.write(() -> store.claim(tenant, key, bodyHash));
  }

  @Override
  public void complete(String tenant, String key, String token, Answer answer) {
    guard.write(() -> store.complete(tenant, key, token, answer));
  }

  @Override
  public void abandon(String tenant, String key, String token) {
    guard.write(() -> store.abandon(tenant, key, token));
  }

  @Override
  public void check() {
    guard.check(store::check);
  }

  @Override
  public void close() {
    store.close();
  }
}
