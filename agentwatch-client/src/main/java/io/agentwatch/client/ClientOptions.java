package io.agentwatch.client;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;

/** A client's settings, checked once by {@link AgentwatchClient.Builder#build()}. */
record ClientOptions(
    URI url,
    URI webSocketUri,
    String apiKey,
    String agentId,
    String runId,
    boolean webSocket,
    boolean httpFallback,
    int maxBufferedEvents,
    long maxBufferedBytes,
    int maxBatchEvents,
    long maxBatchBytes,
    Duration linger,
    Backoff backoff,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration closeTimeout,
    Clock clock,
    RandomGenerator random,
    ClientListener listener,
    CommandHandler commandHandler) {

  /** At most this many events per request (API.md). */
  static final int SERVER_MAX_BATCH = 10_000;

  ClientOptions {
    if (!webSocket && !httpFallback) {
      throw new IllegalArgumentException("at least one of WebSocket and HTTP must be enabled");
    }
    if (maxBatchEvents < 1 || maxBatchEvents > SERVER_MAX_BATCH) {
      throw new IllegalArgumentException("maxBatchEvents must be 1.." + SERVER_MAX_BATCH + " but was " + maxBatchEvents);
    }
    if (maxBatchBytes < 1024) {
      throw new IllegalArgumentException("maxBatchBytes must be at least 1024 but was " + maxBatchBytes);
    }
    if (maxBufferedEvents < 1) {
      throw new IllegalArgumentException("maxBufferedEvents must be >= 1 but was " + maxBufferedEvents);
    }
    if (maxBufferedBytes < 1024) {
      throw new IllegalArgumentException("maxBufferedBytes must be at least 1024 but was " + maxBufferedBytes);
    }
    for (Duration d : new Duration[] {linger, connectTimeout, requestTimeout, closeTimeout}) {
      if (d == null || d.isNegative()) {
        throw new IllegalArgumentException("durations must be >= 0 but one was " + d);
      }
    }
    if (connectTimeout.isZero() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive but were " + connectTimeout + " and " + requestTimeout);
    }
  }
}
