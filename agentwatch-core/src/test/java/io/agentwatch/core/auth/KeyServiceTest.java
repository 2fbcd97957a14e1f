package io.agentwatch.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyServiceTest {

  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  private final MutableClock clock = new MutableClock(T0);
  private final InMemoryKeyStore store = new InMemoryKeyStore();
  private final KeyService keys = new KeyService(store, clock);

  @Test
  void anIssuedKeyAuthenticatesAsItsTenantAndScopes() {
    KeyService.IssuedKey issued = keys.issue("acme", "ci", Set.of(Scope.INGEST, Scope.READ));

    assertThat(issued.key()).matches("aw_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}");
    assertThat(issued.key()).contains(issued.record().id());
    ApiKey found = keys.authenticate(issued.key()).orElseThrow();
    assertThat(found.id()).isEqualTo(issued.record().id());
    assertThat(found.tenant()).isEqualTo("acme");
    assertThat(found.name()).isEqualTo("ci");
    assertThat(found.scopes()).containsExactlyInAnyOrder(Scope.INGEST, Scope.READ);
    assertThat(found.has(Scope.ADMIN)).isFalse();
    assertThat(found.created()).isEqualTo(T0);
  }

  @Test
  void onlyTheHashIsStored() {
    KeyService.IssuedKey issued = keys.issue("acme", null, Set.of(Scope.READ));
    ApiKey record = store.find(issued.record().id()).orElseThrow();

    assertThat(record.hash()).matches("[0-9a-f]{64}").isEqualTo(KeyService.hash(issued.key()));
    assertThat(record.toString()).doesNotContain(issued.key().substring(20));
    assertThat(record.name()).isEmpty();
  }

  @Test
  void issuedKeysAreAllDifferent() {
    Set<String> texts = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      KeyService.IssuedKey k = keys.issue("acme", "k" + i, Set.of(Scope.READ));
      texts.add(k.key());
      ids.add(k.record().id());
    }
    assertThat(texts).hasSize(200);
    assertThat(ids).hasSize(200);
  }

  @Test
  void aWrongSecretForAKnownIdIsRefused() {
    String key = keys.issue("acme", "ci", Set.of(Scope.READ)).key();
    char last = key.charAt(key.length() - 1);
    String tampered = key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A');

    assertThat(keys.authenticate(tampered)).isEmpty();
  }

  @Test
  void aWellFormedKeyOfAnUnknownIdIsRefused() {
    String key = keys.issue("acme", "ci", Set.of(Scope.READ)).key();
    String otherId = "aw_" + "Z".repeat(16) + key.substring(19);

    assertThat(keys.authenticate(otherId)).isEmpty();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"aw_", "aw_short_key", "Bearer aw_x", "not a key at all", " ", "aw__",
      "aw_AAAAAAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"})
  void malformedTextIsRefused(String presented) {
    keys.issue("acme", "ci", Set.of(Scope.READ));

    assertThat(keys.authenticate(presented)).isEmpty();
  }

  @Test
  void keyTextWithExtraCharactersOrOverlongIsRefused() {
    String key = keys.issue("acme", "ci", Set.of(Scope.READ)).key();

    assertThat(keys.authenticate(key + " ")).isEmpty();
    assertThat(keys.authenticate(" " + key)).isEmpty();
    assertThat(keys.authenticate(key + "x")).isEmpty();
    assertThat(keys.authenticate(key.toUpperCase())).isEmpty();
    assertThat(keys.authenticate(key + "x".repeat(200))).isEmpty();
  }

  @Test
  void aRevokedKeyNoLongerAuthenticates() {
    KeyService.IssuedKey issued = keys.issue("acme", "ci", Set.of(Scope.READ));
    clock.advance(Duration.ofMinutes(5));

    assertThat(keys.revoke(issued.record().id())).isTrue();
    assertThat(keys.authenticate(issued.key())).isEmpty();
    ApiKey record = keys.find(issued.record().id()).orElseThrow();
    assertThat(record.isRevoked()).isTrue();
    assertThat(record.revoked()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
  }

  @Test
  void revokingOneKeyLeavesTheOthers() {
    KeyService.IssuedKey a = keys.issue("acme", "a", Set.of(Scope.READ));
    KeyService.IssuedKey b = keys.issue("acme", "b", Set.of(Scope.READ));
    keys.revoke(a.record().id());

    assertThat(keys.authenticate(b.key())).isPresent();
  }

  @Test
  void revokingAnUnknownKeyIsFalseAndTellsNoOne() {
    List<ApiKey> heard = new ArrayList<>();
    keys.onRevoked(heard::add);

    assertThat(keys.revoke("nosuchkey0000000")).isFalse();
    assertThat(heard).isEmpty();
  }

  @Test
  void revocationListenersHearOfTheRevokedKey() {
    List<ApiKey> first = new ArrayList<>();
    List<ApiKey> second = new ArrayList<>();
    keys.onRevoked(first::add);
    keys.onRevoked(second::add);
    KeyService.IssuedKey issued = keys.issue("acme", "ci", Set.of(Scope.READ));

    keys.revoke(issued.record().id());

    assertThat(first).singleElement().satisfies(k -> {
      assertThat(k.id()).isEqualTo(issued.record().id());
      assertThat(k.tenant()).isEqualTo("acme");
      assertThat(k.isRevoked()).as("listeners see the key as revoked").isTrue();
    });
    assertThat(second).hasSize(1);
  }

  @Test
  void anAdoptedKeyOfAnyFormAuthenticates() {
    String chosen = "my-own-admin-key-for-ci-2026";
    KeyService.IssuedKey adopted = keys.adopt(chosen, "default", "admin", Set.of(Scope.values()));

    assertThat(adopted.key()).isEqualTo(chosen);
    assertThat(adopted.record().id()).matches("[A-Za-z0-9]{16}");
    ApiKey found = keys.authenticate(chosen).orElseThrow();
    assertThat(found.tenant()).isEqualTo("default");
    assertThat(found.has(Scope.OPERATOR)).isTrue();
    assertThat(keys.authenticate(chosen + "!")).isEmpty();
    assertThat(keys.authenticate("my-own-admin-key-for-ci-2025")).isEmpty();
  }

  @Test
  void anAdoptedKeyOfTheStandardFormKeepsTheIdItCarries() {
    String chosen = "aw_AbCdEfGhIjKlMnOp_" + "x".repeat(43);
    KeyService.IssuedKey adopted = keys.adopt(chosen, "default", "admin", Set.of(Scope.ADMIN));

    assertThat(adopted.record().id()).isEqualTo("AbCdEfGhIjKlMnOp");
    assertThat(keys.authenticate(chosen)).isPresent();
    assertThat(keys.authenticate("aw_AbCdEfGhIjKlMnOp_" + "y".repeat(43))).isEmpty();
  }

  @Test
  void anAdoptedKeyCanBeRevoked() {
    String chosen = "my-own-admin-key-for-ci-2026";
    KeyService.IssuedKey adopted = keys.adopt(chosen, "default", "admin", Set.of(Scope.ADMIN));
    keys.revoke(adopted.record().id());

    assertThat(keys.authenticate(chosen)).isEmpty();
  }

  @Test
  void aChosenKeyMustBe20To200Characters() {
    assertThatThrownBy(() -> keys.adopt("x".repeat(19), "default", "a", Set.of(Scope.ADMIN)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20-200");
    assertThatThrownBy(() -> keys.adopt("x".repeat(201), "default", "a", Set.of(Scope.ADMIN)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> keys.adopt(null, "default", "a", Set.of(Scope.ADMIN)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(keys.adopt("x".repeat(20), "default", "a", Set.of(Scope.ADMIN)).key()).hasSize(20);
    assertThat(keys.adopt("y".repeat(200), "default", "a", Set.of(Scope.ADMIN)).key()).hasSize(200);
    assertThat(keys.authenticate("y".repeat(200))).isPresent();
  }

  @Test
  void useIsRecordedAtMostOncePerMinute() {
    KeyService.IssuedKey issued = keys.issue("acme", "ci", Set.of(Scope.READ));
    String id = issued.record().id();
    assertThat(store.find(id).orElseThrow().lastUsed()).isNull();

    keys.authenticate(issued.key());
    assertThat(store.find(id).orElseThrow().lastUsed()).isEqualTo(T0);
    clock.advance(Duration.ofSeconds(30));
    keys.authenticate(issued.key());
    assertThat(store.find(id).orElseThrow().lastUsed()).isEqualTo(T0);
    clock.advance(Duration.ofSeconds(31));
    keys.authenticate(issued.key());
    assertThat(store.find(id).orElseThrow().lastUsed()).isEqualTo(T0.plusSeconds(61));
  }

  @Test
  void badTenantsAndEmptyScopesAreRefused() {
    for (String tenant : new String[] {"", "Acme", "-acme", "a b", "x".repeat(64), "acme/1", null}) {
      assertThatThrownBy(() -> keys.issue(tenant, "n", Set.of(Scope.READ))).as(String.valueOf(tenant))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tenant must be");
    }
    assertThatThrownBy(() -> keys.issue("acme", "n", Set.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("scopes");
    assertThat(keys.noKeysYet()).isTrue();
  }

  @Test
  void listingIsPerTenantOldestFirst() {
    assertThat(keys.noKeysYet()).isTrue();
    KeyService.IssuedKey a = keys.issue("acme", "a", Set.of(Scope.READ));
    clock.advance(Duration.ofSeconds(1));
    KeyService.IssuedKey b = keys.issue("other", "b", Set.of(Scope.READ));
    clock.advance(Duration.ofSeconds(1));
    KeyService.IssuedKey c = keys.issue("acme", "c", Set.of(Scope.READ));

    assertThat(keys.noKeysYet()).isFalse();
    assertThat(keys.list("acme")).extracting(ApiKey::id).containsExactly(a.record().id(), c.record().id());
    assertThat(keys.list(null)).extracting(ApiKey::id)
        .containsExactly(a.record().id(), b.record().id(), c.record().id());
  }

  @Test
  void scopesHaveLowerCaseLabels() {
    assertThat(Scope.of("ingest")).isEqualTo(Scope.INGEST);
    assertThat(Scope.OPERATOR.label()).isEqualTo("operator");
    assertThatThrownBy(() -> Scope.of("root")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scope must be one of ingest, read, admin, operator but was 'root'");
    assertThatThrownBy(() -> Scope.of("READ")).isInstanceOf(IllegalArgumentException.class);
  }
}
