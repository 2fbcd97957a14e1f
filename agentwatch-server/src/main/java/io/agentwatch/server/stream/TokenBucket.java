package io.agentwatch.server.stream;

import java.util.function.LongSupplier;

/**
 * A small token bucket for one connection's control frames: {@code burst} at once, then
 * {@code perSecond}. Used by one thread at a time (a connection's frames arrive in turn).
 */
final class TokenBucket {

  private final double burst;
  private final double perNano;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  TokenBucket(int burst, int perSecond) {
    this(burst, perSecond, System::nanoTime);
  }

  TokenBucket(int burst, int perSecond, LongSupplier nanoTime) {
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes a token if there is one. */
  boolean tryTake() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }
}
