package io.agentwatch.server.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.log.UnavailableException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A {@link KeyStore} behind its backend's circuit breaker that keeps authenticating while the
 * backend is down: every record it found is remembered, and when a lookup fails for an outage the
 * remembered answer is used instead (stale-if-error). A key that worked keeps working through an
 * outage — with Kafka as the log, ingest goes on while PostgreSQL is away — and a key never seen
 * on this node is refused with 503 until the store is back. Revocations cannot be made during an
 * outage; one made just before it reaches this node when its cached answer is refreshed, after
 * the outage. Recording a key's last use is best-effort and skipped while the store is down.
 */
public final class GuardedKeyStore implements KeyStore {

  private static final int REMEMBERED = 10_000;

  private final KeyStore store;
  private final BackendGuard guard;
  private final Cache<String, Optional<ApiKey>> lastFound = Caffeine.newBuilder().maximumSize(REMEMBERED).build();

  public GuardedKeyStore(KeyStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public void add(ApiKey key) {
    guard.write(() -> store.add(key));
    lastFound.invalidate(key.id());
  }

  @Override
  public Optional<ApiKey> find(String id) {
    try {
      Optional<ApiKey> found = guard.read(() -> store.find(id));
      lastFound.put(id, found);
      return found;
    } catch (UnavailableException e) {
      Optional<ApiKey> remembered = lastFound.getIfPresent(id);
      if (remembered == null) {
        throw e;
      }
      return remembered;
    }
  }

  @Override
  public List<ApiKey> list(String tenant) {
    return guard.read(() -> store.list(tenant));
  }

  @Override
  public boolean revoke(String id, Instant at) {
    boolean revoked = guard.write(() -> store.revoke(id, at));
    lastFound.invalidate(id);
    return revoked;
  }

  @Override
  public void touch(String id, Instant at) {
    try {
      guard.write(() -> store.touch(id, at));
    } catch (UnavailableException e) {
      // Last-used times are informative only; an outage must not fail the request that uses the key.
    }
  }

  @Override
  public boolean isEmpty() {
    return guard.read(store::isEmpty);
  }
}
