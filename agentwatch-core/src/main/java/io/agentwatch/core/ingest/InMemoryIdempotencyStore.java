package io.agentwatch.core.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The {@link IdempotencyStore} of one process (the embedded deployment). Entries live in write
 * order; beyond {@code maxBytes} (roughly: a large answer lists every rejected event) the oldest
 * are forgotten early, so a flood of keys cannot exhaust memory.
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {

  private record Entry(byte[] bodyHash, String token, Answer answer, Instant expires) {
    long weight() {
      return 256 + (answer == null ? 0 : answer.body().length() * 2L);
    }
  }

  private record Id(String tenant, String key) {}

  private final Clock clock;
  private final Duration ttl;
  private final Duration claimTtl;
  private final long maxBytes;
  private final LinkedHashMap<Id, Entry> entries = new LinkedHashMap<>();
  private long bytes;

  /**
   * @param ttl      how long an answer is remembered (24 hours in the server)
   * @param claimTtl how long a claim holds without an answer before the key is free again
   * @param maxBytes roughly the most memory the entries may take
   */
  public InMemoryIdempotencyStore(Clock clock, Duration ttl, Duration claimTtl, long maxBytes) {
    if (claimTtl.isNegative() || claimTtl.isZero() || ttl.compareTo(claimTtl) < 0) {
      throw new IllegalArgumentException(
          "claimTtl must be positive and at most ttl but was claimTtl=" + claimTtl + " ttl=" + ttl);
    }
    this.clock = clock;
    this.ttl = ttl;
    this.claimTtl = claimTtl;
    this.maxBytes = maxBytes;
  }

  @Override
  public synchronized Claim claim(String tenant, String key, byte[] bodyHash) {
    Instant now = clock.instant();
    Id id = new Id(tenant, key);
    Entry e = entries.get(id);
    if (e != null && !e.expires().isAfter(now)) {
      remove(id);
      e = null;
    }
    if (e == null) {
      String token = UUID.randomUUID().toString();
      put(id, new Entry(bodyHash.clone(), token, null, now.plus(claimTtl)));
      return Claim.claimed(token);
    }
    if (!Arrays.equals(e.bodyHash(), bodyHash)) {
      return Claim.CONFLICT;
    }
    return e.answer() == null ? Claim.IN_PROGRESS : Claim.answered(e.answer());
  }

  @Override
  public synchronized void complete(String tenant, String key, String token, Answer answer) {
    Id id = new Id(tenant, key);
    Entry e = current(id, token);
    if (e != null) {
      remove(id);
      put(id, new Entry(e.bodyHash(), token, answer, clock.instant().plus(ttl)));
    }
  }

  @Override
  public synchronized void abandon(String tenant, String key, String token) {
    Id id = new Id(tenant, key);
    if (current(id, token) != null) {
      remove(id);
    }
  }

  /** The open claim {@code token} of {@code id}, or null when it lapsed, was answered or replaced. */
  private Entry current(Id id, String token) {
    Entry e = entries.get(id);
    boolean open = e != null && e.answer() == null && e.token().equals(token)
        && e.expires().isAfter(clock.instant());
    return open ? e : null;
  }

  private void put(Id id, Entry e) {
    entries.put(id, e);
    bytes += e.weight();
    Instant now = clock.instant();
    Iterator<Map.Entry<Id, Entry>> oldest = entries.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<Id, Entry> next = oldest.next();
      boolean expired = !next.getValue().expires().isAfter(now);
      if (!expired && bytes <= maxBytes || next.getKey().equals(id)) {
        break;
      }
      bytes -= next.getValue().weight();
      oldest.remove();
    }
  }

  private void remove(Id id) {
    Entry e = entries.remove(id);
    if (e != null) {
      bytes -= e.weight();
    }
  }
}
