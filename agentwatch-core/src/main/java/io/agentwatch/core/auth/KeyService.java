package io.agentwatch.core.auth;

import io.agentwatch.core.Digests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issues, checks and revokes API keys.
 *
 * <p>A key reads {@code aw_<id>_<secret>}: the id finds the record, and the SHA-256 of the whole
 * key is compared with the stored hash in constant time. Keys carry 256 random bits, so a fast
 * hash is enough (as for GitHub's or Stripe's tokens); a slow password hash would only cost CPU
 * on every request.
 */
public final class KeyService {

  private static final Pattern KEY = Pattern.compile("aw_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})");
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);
  private static final Duration CACHE_FOR = Duration.ofSeconds(10);
  private static final int MAX_CACHED = 10_000;

  private final KeyStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final List<Consumer<ApiKey>> revocationListeners = new CopyOnWriteArrayList<>();
  private final Map<String, Cached> recent = new ConcurrentHashMap<>();
  private final Map<String, Instant> touched = new ConcurrentHashMap<>();

  private record Cached(ApiKey key, long at) {}

  /** A newly issued key: the record and the key text, which exists only here. */
  public record IssuedKey(ApiKey record, String key) {}

  public KeyService(KeyStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public IssuedKey issue(String tenant, String name, Set<Scope> scopes) {
    String id = randomId();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String key = "aw_" + id + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    return register(id, key, tenant, name, scopes);
  }

  /**
   * Registers a key text chosen by the operator (the {@code AGENTWATCH_ADMIN_KEY} of automated
   * setups). Any text of 20 to 200 characters is accepted.
   */
  public IssuedKey adopt(String key, String tenant, String name, Set<Scope> scopes) {
    if (key == null || key.length() < 20 || key.length() > 200) {
      throw new IllegalArgumentException("a chosen admin key must be 20-200 characters");
    }
    Matcher m = KEY.matcher(key);
    return register(m.matches() ? m.group(1) : adoptedId(key), key, tenant, name, scopes);
  }

  /** A chosen key of another form is found by an id derived from its hash, never by a scan. */
  private static String adoptedId(String key) {
    return hash(key).substring(0, 16);
  }

  private IssuedKey register(String id, String key, String tenant, String name, Set<Scope> scopes) {
    ApiKey record = new ApiKey(id, tenant, name == null ? "" : name, scopes, hash(key), clock.instant(), null, null);
    store.add(record);
    return new IssuedKey(record, key);
  }

  /**
   * The live key record for a presented key text, if it is valid and not revoked. Answers are
   * remembered for {@link #CACHE_FOR} so that requests do not each read the store; a revocation
   * through this service takes effect at once, one made on another node within that time.
   */
  public Optional<ApiKey> authenticate(String presented) {
    if (presented == null || presented.isEmpty() || presented.length() > 200) {
      return Optional.empty();
    }
    String presentedHash = hash(presented);
    long now = System.nanoTime();
    Cached cached = recent.get(presentedHash);
    if (cached != null && now - cached.at() < CACHE_FOR.toNanos()) {
      return Optional.of(touch(cached.key()));
    }
    Matcher m = KEY.matcher(presented);
    Optional<ApiKey> found = store.find(m.matches() ? m.group(1) : presentedHash.substring(0, 16))
        .filter(k -> MessageDigest.isEqual(presentedHash.getBytes(StandardCharsets.US_ASCII),
            k.hash().getBytes(StandardCharsets.US_ASCII)))
        .filter(k -> !k.isRevoked());
    if (found.isPresent()) {
      if (recent.size() > MAX_CACHED) {
        recent.clear();
      }
      recent.put(presentedHash, new Cached(found.get(), now));
    }
    return found.map(this::touch);
  }

  /** Whether the key with this id exists and is not revoked. */
  public boolean isActive(String id) {
    return store.find(id).filter(k -> !k.isRevoked()).isPresent();
  }

  private ApiKey touch(ApiKey key) {
    Instant now = clock.instant();
    Instant last = touched.getOrDefault(key.id(), key.lastUsed());
    if (last == null || Duration.between(last, now).compareTo(TOUCH_EVERY) > 0) {
      touched.put(key.id(), now);
      store.touch(key.id(), now);
    }
    return key;
  }

  public Optional<ApiKey> find(String id) {
    return store.find(id);
  }

  public List<ApiKey> list(String tenant) {
    return store.list(tenant);
  }

  /**
   * Revokes a key and tells listeners, so open connections using it are closed at once. Listeners
   * get the record as revoked.
   */
  public boolean revoke(String id) {
    if (!store.revoke(id, clock.instant())) {
      return false;
    }
    recent.values().removeIf(c -> c.key().id().equals(id));
    store.find(id).ifPresent(revoked -> revocationListeners.forEach(l -> l.accept(revoked)));
    return true;
  }

  public void onRevoked(Consumer<ApiKey> listener) {
    revocationListeners.add(listener);
  }

  public boolean noKeysYet() {
    return store.isEmpty();
  }

  private String randomId() {
    StringBuilder sb = new StringBuilder(16);
    for (int i = 0; i < 16; i++) {
      sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
    }
    return sb.toString();
  }

  static String hash(String key) {
    return Digests.sha256Hex(key);
  }
}
