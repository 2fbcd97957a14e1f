package io.agentwatch.core.auth;

import io.agentwatch.core.Digests;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Short-lived, single-use tickets that stand in for an API key in a stream URL. Browsers cannot
 * set headers on a WebSocket or EventSource, so the credential has to travel in the query string,
 * where proxies and access logs may keep it; a ticket there is worthless a moment later.
 *
 * <p>A ticket names the key it was issued for, so a revoked key's tickets stop working too. The
 * {@link TicketStore} decides where tickets live: in this node's memory, or shared by every node
 * of a cluster (then any node redeems what any node issued). The store sees only a SHA-256 digest
 * of each token. Thread-safe.
 */
public final class StreamTickets {

  public static final String PREFIX = "awt_";
  public static final Duration LIFETIME = Duration.ofSeconds(30);

  private final Clock clock;
  private final TicketStore store;
  private final SecureRandom random = new SecureRandom();

  /** A ticket and the instant after which it is refused. */
  public record Ticket(String token, Instant expiresAt) {}

  /** Tickets kept in this node's memory. */
  public StreamTickets(Clock clock) {
    this(clock, new InMemoryTicketStore(clock));
  }

  public StreamTickets(Clock clock, TicketStore store) {
    this.clock = clock;
    this.store = store;
  }

  public static boolean looksLikeTicket(String presented) {
    return presented != null && presented.startsWith(PREFIX);
  }

  /**
   * @throws IllegalStateException when too many tickets are outstanding (callers answer 503)
   * @throws io.agentwatch.core.log.UnavailableException when the store is down
   */
  public Ticket issue(String keyId) {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant expiresAt = clock.instant().plus(LIFETIME);
    store.put(digest(token), new TicketStore.Held(keyId, expiresAt));
    return new Ticket(token, expiresAt);
  }

  /**
   * The id of the key a ticket was issued for, if the ticket is known and unexpired; it is used up.
   *
   * @throws io.agentwatch.core.log.UnavailableException when the store is down
   */
  public Optional<String> redeem(String token) {
    if (!looksLikeTicket(token)) {
      return Optional.empty();
    }
    return store.take(digest(token)).filter(held -> held.expiresAt().isAfter(clock.instant()))
        .map(TicketStore.Held::keyId);
  }

  /** What the store keeps instead of the token: a leaked store opens no stream. */
  static String digest(String token) {
    return Digests.sha256Hex(token);
  }
}
