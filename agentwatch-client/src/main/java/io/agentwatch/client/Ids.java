package io.agentwatch.client;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Producer-made event ids: 26 characters of Crockford base 32 — 10 for the millisecond, 8 for a
 * random number drawn once per client, 8 for a counter that starts at a random value. Ids of one
 * client never repeat and sort by creation within a millisecond; two clients collide only if they
 * draw the same 40-bit number in the same millisecond and their counters meet. The id is made at
 * {@code emit} and kept through every retry, which is what makes retries harmless.
 */
final class Ids {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final long FORTY_BITS = (1L << 40) - 1;

  private final Clock clock;
  private final long instance;
  private final AtomicLong counter;

  Ids(Clock clock) {
    this(clock, new SecureRandom());
  }

  Ids(Clock clock, SecureRandom random) {
    this.clock = clock;
    this.instance = random.nextLong() & FORTY_BITS;
    this.counter = new AtomicLong(random.nextLong() & FORTY_BITS);
  }

  String next() {
    char[] id = new char[26];
    encode(clock.millis(), id, 0, 10);
    encode(instance, id, 10, 8);
    encode(counter.getAndIncrement() & FORTY_BITS, id, 18, 8);
    return new String(id);
  }

  private static void encode(long value, char[] into, int offset, int digits) {
    for (int i = offset + digits - 1; i >= offset; i--) {
      into[i] = ALPHABET[(int) (value & 31)];
      value >>>= 5;
    }
  }
}
