package io.agentwatch.core.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where key records live. Holds hashes only; the key text is never stored. Thread-safe.
 */
public interface KeyStore {

  void add(ApiKey key);

  Optional<ApiKey> find(String id);

  /** Every key of {@code tenant}, or of all tenants when {@code tenant} is null, oldest first. */
  List<ApiKey> list(String tenant);

  /** Marks the key revoked; false if there is no such key. */
  boolean revoke(String id, Instant at);

  /** Records a use; implementations may coalesce writes. */
  void touch(String id, Instant at);

  /** Whether no key was ever issued (a fresh store, which gets a first admin key). */
  boolean isEmpty();
}
