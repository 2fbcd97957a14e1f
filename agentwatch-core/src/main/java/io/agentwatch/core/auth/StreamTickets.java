package io.agentwatch.core.auth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived, single-use tickets that stand in for an API key in a stream URL. Browsers cannot
 * set headers on a WebSocket or EventSource, so the credential has to travel in the query string,
 * where proxies and access logs may keep it; a ticket there is worthless a moment later.
 *
 * <p>A ticket names the key it was issued for, so a revoked key's tickets stop working too. Tickets
 * live in this node's memory: the WebSocket that redeems one must reach the node that issued it.
 * Thread-safe.
 */
public final class StreamTickets {

  public static final String PREFIX = "awt_";
  public static final Duration LIFETIME = Duration.ofSeconds(30);
  private static final int MAX_OUTSTANDING = 100_000;

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Outstanding> outstanding = new ConcurrentHashMap<>();

  private record Outstanding(String keyId, Instant expiresAt) {}

  /** A ticket and the instant after which it is refused. */
  public record Ticket(String token, Instant expiresAt) {}

  public StreamTickets(Clock clock) {
    this.clock = clock;
  }

  public static boolean looksLikeTicket(String presented) {
    return presented != null && presented.startsWith(PREFIX);
  }

  /** @throws IllegalStateException when too many tickets are outstanding (callers answer 503) */
  public Ticket issue(String keyId) {
    Instant now = clock.instant();
    if (outstanding.size() >= MAX_OUTSTANDING) {
      outstanding.values().removeIf(o -> !o.expiresAt().isAfter(now));
      if (outstanding.size() >= MAX_OUTSTANDING) {
        throw new IllegalStateException("too many stream tickets are outstanding; retry in a few seconds");
      }
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant expiresAt = now.plus(LIFETIME);
    outstanding.put(token, new Outstanding(keyId, expiresAt));
    return new Ticket(token, expiresAt);
  }

  /** The id of the key a ticket was issued for, if the ticket is known and unexpired; it is used up. */
  public Optional<String> redeem(String token) {
    Outstanding o = token == null ? null : outstanding.remove(token);
    if (o == null || !o.expiresAt().isAfter(clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(o.keyId());
  }
}
