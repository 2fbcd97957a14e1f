package io.agentwatch.core.auth;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link TicketStore} of one node: its tickets open streams on this node only. */
public final class InMemoryTicketStore implements TicketStore {

  static final int MAX_OUTSTANDING = 100_000;

  private final Clock clock;
  private final Map<String, Held> outstanding = new ConcurrentHashMap<>();

  public InMemoryTicketStore(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void put(String digest, Held ticket) {
    if (outstanding.size() >= MAX_OUTSTANDING) {
      outstanding.values().removeIf(o -> !o.expiresAt().isAfter(clock.instant()));
      if (outstanding.size() >= MAX_OUTSTANDING) {
        throw new IllegalStateException("too many stream tickets are outstanding; retry in a few seconds");
      }
    }
    outstanding.put(digest, ticket);
  }

  @Override
  public Optional<Held> take(String digest) {
    return Optional.ofNullable(outstanding.remove(digest));
  }
}
