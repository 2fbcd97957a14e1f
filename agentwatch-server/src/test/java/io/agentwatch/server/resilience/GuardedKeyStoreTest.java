package io.agentwatch.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.InMemoryKeyStore;
import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.UnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GuardedKeyStoreTest {

  /** A key store whose backend can be switched off. */
  private static final class Switchable implements KeyStore {
    final InMemoryKeyStore keys = new InMemoryKeyStore();
    volatile boolean down;

    private void up() {
      if (down) {
        throw new UnavailableException("connection refused");
      }
    }

    @Override
    public void add(ApiKey key) {
      up();
      keys.add(key);
    }

    @Override
    public Optional<ApiKey> find(String id) {
      up();
      return keys.find(id);
    }

    @Override
    public List<ApiKey> list(String tenant) {
      up();
      return keys.list(tenant);
    }

    @Override
    public boolean revoke(String id, Instant at) {
      up();
      return keys.revoke(id, at);
    }

    @Override
    public void touch(String id, Instant at) {
      up();
      keys.touch(id, at);
    }

    @Override
    public boolean isEmpty() {
      up();
      return keys.isEmpty();
    }
  }

  private final Switchable backend = new Switchable();
  private final GuardedKeyStore store =
      new GuardedKeyStore(backend, new BackendGuard("postgres", new ResilienceSettings(20, 10, 50, Duration.ofSeconds(5),
          3, 3, Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofSeconds(30)), Clock.systemUTC()));

  private static ApiKey key(String id) {
    return new ApiKey(id, "acme", "ci", Set.of(Scope.INGEST), "hash-" + id, Instant.now(), null, null);
  }

  @Test
  void aKeyFoundBeforeAnOutageIsStillFoundDuringIt() {
    store.add(key("k1"));
    assertThat(store.find("k1")).isPresent();
    backend.down = true;
    assertThat(store.find("k1")).hasValueSatisfying(k -> assertThat(k.id()).isEqualTo("k1"));
  }

  @Test
  void aKeyNeverSeenOnThisNodeIsAnOutageNotAnUnknownKey() {
    backend.keys.add(key("k2"));
    backend.down = true;
    assertThatThrownBy(() -> store.find("k2")).isInstanceOf(BackendUnavailableException.class);
  }

  @Test
  void recordingALastUseDuringAnOutageIsSkippedRatherThanFailingTheRequest() {
    store.add(key("k3"));
    backend.down = true;
    store.touch("k3", Instant.now());
  }

  @Test
  void aKeyRevokedThroughThisNodeIsNeverAnsweredFromMemoryAsActive() {
    store.add(key("k4"));
    assertThat(store.find("k4")).isPresent();
    assertThat(store.revoke("k4", Instant.now())).isTrue();
    backend.down = true;
    assertThatThrownBy(() -> store.find("k4")).isInstanceOf(BackendUnavailableException.class);
  }
}
