package io.agentwatch.server.resilience;

import io.agentwatch.core.log.IdLedger;
import java.util.List;

/**
 * An {@link IdLedger} behind its backend's circuit breaker. The Kafka log reserves ids here before
 * every write, so a Redis outage fails appends at once (503 naming {@code redis}) instead of each
 * waiting out the Redis timeout, and is not counted against Kafka's own breaker.
 */
public final class GuardedIdLedger implements IdLedger {

  private final IdLedger ledger;
  private final BackendGuard guard;

  public GuardedIdLedger(IdLedger ledger, BackendGuard guard) {
    this.ledger = ledger;
    this.guard = guard;
  }

  @Override
  public List<Claim> reserve(String owner, List<Key> keys) {
    return guard.write(() -> ledger.reserve(owner, keys));
  }

  @Override
  public void confirm(List<Key> keys) {
    guard.write(() -> ledger.confirm(keys));
  }

  @Override
  public void release(String owner, List<Key> keys) {
    guard.write(() -> ledger.release(owner, keys));
  }

  @Override
  public void check() {
    guard.check(ledger::check);
  }

  @Override
  public void close() {
    ledger.close();
  }
}
