package io.agentwatch.core.auth;

import java.time.Instant;
import java.util.Optional;

/**
 * Where {@link StreamTickets} keeps the tickets it issued until they are redeemed: this node's
 * memory, or a store every node shares so that a ticket issued by one node opens a stream on any.
 * Tickets are held by a digest of the token, never the token itself.
 *
 * <p>Contract (checked by {@code TicketStoreContract}): a ticket put is taken at most once, by
 * exactly one caller however many nodes try at once; taking an unknown ticket finds nothing.
 * Expiry is the caller's to check ({@link Held#expiresAt}); a store may forget a ticket once it has
 * expired. Thread-safe; may block on I/O and throw
 * {@link io.agentwatch.core.log.UnavailableException} when its backend is down.
 */
public interface TicketStore {

  /** What a ticket stands for. */
  record Held(String keyId, Instant expiresAt) {}

  /**
   * Keeps a ticket until it is taken or expires.
   *
   * @throws IllegalStateException when too many tickets are outstanding (callers answer 503)
   */
  void put(String digest, Held ticket);

  /** Removes the ticket and returns what it stood for; empty when unknown or already taken. */
  Optional<Held> take(String digest);
}
