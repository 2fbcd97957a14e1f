package io.agentwatch.core.auth;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link KeyStore} in memory, for tests. */
public final class InMemoryKeyStore implements KeyStore {

  private final Map<String, ApiKey> keys = new ConcurrentHashMap<>();

  @Override
  public void add(ApiKey key) {
    if (keys.putIfAbsent(key.id(), key) != null) {
      throw new IllegalStateException("key id " + key.id() + " exists");
    }
  }

  @Override
  public Optional<ApiKey> find(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  @Override
  public List<ApiKey> list(String tenant) {
    return keys.values().stream()
        .filter(k -> tenant == null || k.tenant().equals(tenant))
        .sorted(Comparator.comparing(ApiKey::created).thenComparing(ApiKey::id))
        .toList();
  }

  @Override
  public boolean revoke(String id, Instant at) {
    return keys.computeIfPresent(id, (k, v) -> v.isRevoked() ? v
        : new ApiKey(v.id(), v.tenant(), v.name(), v.scopes(), v.hash(), v.created(), v.lastUsed(), at)) != null;
  }

  @Override
  public void touch(String id, Instant at) {
    keys.computeIfPresent(id, (k, v) ->
        new ApiKey(v.id(), v.tenant(), v.name(), v.scopes(), v.hash(), v.created(), at, v.revoked()));
  }

  @Override
  public boolean isEmpty() {
    return keys.isEmpty();
  }
}
