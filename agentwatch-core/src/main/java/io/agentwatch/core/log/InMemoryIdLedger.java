package io.agentwatch.core.log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link IdLedger} in one process: enough for a single node, and what tests use. Time comes
 * from the given clock, so reservations go stale without sleeping. Memory grows with the keys
 * confirmed within the retention window.
 */
public final class InMemoryIdLedger implements IdLedger {

  /** A reservation (owner set) or a confirmation (owner null), forgotten at {@code expires}. */
  private record Entry(String owner, Instant expires) {}

  private record Expiry(Key key, Instant at) {}

  private final Clock clock;
  private final Duration reservationTtl;
  private final Duration retention;
  private final Map<Key, Entry> entries = new HashMap<>();
  /** Every entry's expiry in the order written; an entry rewritten later leaves a stale item behind. */
  private final ArrayDeque<Expiry> expiries = new ArrayDeque<>();
  private boolean closed;

  /**
   * @param reservationTtl how long a reservation holds before another writer may take it over
   * @param retention      how long a confirmed key is remembered
   */
  public InMemoryIdLedger(Clock clock, Duration reservationTtl, Duration retention) {
    if (reservationTtl.isNegative() || reservationTtl.isZero()) {
      throw new IllegalArgumentException("reservationTtl must be positive but was " + reservationTtl);
    }
    if (retention.compareTo(reservationTtl) < 0) {
      throw new IllegalArgumentException(
          "retention must be at least reservationTtl (" + reservationTtl + ") but was " + retention);
    }
    this.clock = clock;
    this.reservationTtl = reservationTtl;
    this.retention = retention;
  }

  @Override
  public synchronized List<Claim> reserve(String owner, List<Key> keys) {
    requireOpen();
    Instant now = clock.instant();
    expire(now);
    List<Claim> claims = new ArrayList<>(keys.size());
    for (Key key : keys) {
      Entry e = live(key, now);
      if (e != null && e.owner() == null) {
        claims.add(Claim.CONFIRMED);
      } else if (e != null && !e.owner().equals(owner)) {
        claims.add(Claim.PENDING);
      } else {
        put(key, owner, now.plus(reservationTtl));
        claims.add(Claim.RESERVED);
      }
    }
    return claims;
  }

  @Override
  public synchronized void confirm(List<Key> keys) {
    requireOpen();
    Instant expires = clock.instant().plus(retention);
    for (Key key : keys) {
      put(key, null, expires);
    }
  }

  @Override
  public synchronized void release(String owner, List<Key> keys) {
    requireOpen();
    for (Key key : keys) {
      Entry e = entries.get(key);
      if (e != null && owner.equals(e.owner())) {
        entries.remove(key);
      }
    }
  }

  private Entry live(Key key, Instant now) {
    Entry e = entries.get(key);
    return e == null || !e.expires().isAfter(now) ? null : e;
  }

  private void put(Key key, String owner, Instant expires) {
    entries.put(key, new Entry(owner, expires));
    expiries.add(new Expiry(key, expires));
  }

  /**
   * Frees the memory of entries whose time is up. The queue is in write order, not expiry order
   * (reservations live shorter than confirmations), so lookups check expiry themselves.
   */
  private void expire(Instant now) {
    while (!expiries.isEmpty() && !expiries.peek().at().isAfter(now)) {
      Expiry x = expiries.poll();
      Entry e = entries.get(x.key());
      if (e != null && !e.expires().isAfter(now)) {
        entries.remove(x.key());
      }
    }
  }

  /** Keys currently held (reserved or confirmed): for tests. */
  synchronized int size() {
    expire(clock.instant());
    return entries.size();
  }

  @Override
  public synchronized void check() {
    requireOpen();
  }

  private void requireOpen() {
    if (closed) {
      throw new UnavailableException("the id ledger is closed");
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
