package io.agentwatch.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link KeyStore} contract. Each adapter binds it by implementing {@link #newStore()};
 * every test gets a fresh, empty store.
 */
public abstract class KeyStoreContract {

  protected static final Instant T0 = Instant.parse("2026-11-28T16:00:00.123456789Z");

  protected KeyStore keys;

  protected abstract KeyStore newStore() throws Exception;

  /** Releases what {@link #newStore()} opened; nothing by default. */
  protected void closeStore() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    keys = newStore();
  }

  @AfterEach
  void close() throws Exception {
    closeStore();
  }

  protected static ApiKey key(String id, String tenant, Instant created, Scope... scopes) {
    return new ApiKey(id, tenant, "name of " + id, Set.of(scopes), "hash-" + id, created, null, null);
  }

  @Test
  void anAddedKeyIsFoundWithEveryField() {
    ApiKey added = new ApiKey("k1", "acme", "ci ✓ \"quoted\"", Set.of(Scope.INGEST, Scope.READ, Scope.OPERATOR),
        "abc123", T0, T0.plusSeconds(5), T0.plusSeconds(9));
    keys.add(added);

    assertThat(keys.find("k1")).contains(added);
    assertThat(keys.find("nope")).isEmpty();
  }

  @Test
  void aSecondKeyWithTheSameIdIsRefused() {
    keys.add(key("k1", "acme", T0, Scope.READ));

    assertThatThrownBy(() -> keys.add(key("k1", "other", T0, Scope.ADMIN)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("k1");
    assertThat(keys.find("k1").orElseThrow().tenant()).isEqualTo("acme");
  }

  @Test
  void listGivesOneTenantsKeysOrEveryKeyOldestFirst() {
    keys.add(key("c", "acme", T0.plusNanos(1), Scope.READ));
    keys.add(key("a", "acme", T0.plusSeconds(1), Scope.READ));
    keys.add(key("b", "other", T0, Scope.READ));
    keys.add(key("d", "acme", T0, Scope.READ));

    assertThat(keys.list("acme")).extracting(ApiKey::id).containsExactly("d", "c", "a");
    assertThat(keys.list(null)).extracting(ApiKey::id).containsExactly("b", "d", "c", "a");
    assertThat(keys.list("nobody")).isEmpty();
  }

  @Test
  void revokingKeepsTheFirstRevocationTimeAndUnknownKeysAreReported() {
    keys.add(key("k1", "acme", T0, Scope.READ));

    assertThat(keys.revoke("k1", T0.plusSeconds(1))).isTrue();
    assertThat(keys.revoke("k1", T0.plusSeconds(2))).isTrue();
    assertThat(keys.revoke("unknown", T0)).isFalse();
    assertThat(keys.find("k1").orElseThrow().revoked()).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void touchRecordsTheLastUse() {
    keys.add(key("k1", "acme", T0, Scope.READ));
    keys.touch("k1", T0.plusSeconds(60));
    keys.touch("unknown", T0);

    assertThat(keys.find("k1").orElseThrow().lastUsed()).isEqualTo(T0.plusSeconds(60));
    assertThat(keys.find("unknown")).isEmpty();
  }

  @Test
  void theStoreIsEmptyUntilTheFirstKeyEvenAfterRevocation() {
    assertThat(keys.isEmpty()).isTrue();
    keys.add(key("k1", "acme", T0, Scope.READ));
    keys.revoke("k1", T0);

    assertThat(keys.isEmpty()).isFalse();
  }

  @Test
  void keyServiceIssuesAndAuthenticatesKeysStoredHere() {
    KeyService service = new KeyService(keys, Clock.fixed(T0, ZoneOffset.UTC));
    KeyService.IssuedKey issued = service.issue("acme", "ci", Set.of(Scope.INGEST));

    assertThat(service.authenticate(issued.key())).map(ApiKey::id).contains(issued.record().id());
    assertThat(keys.find(issued.record().id()).orElseThrow().lastUsed()).isEqualTo(T0);
    assertThat(service.revoke(issued.record().id())).isTrue();
    assertThat(service.authenticate(issued.key())).isEmpty();
  }
}
