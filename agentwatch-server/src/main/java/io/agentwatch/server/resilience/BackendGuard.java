package io.agentwatch.server.resilience;

import io.agentwatch.core.log.UnavailableException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The circuit breaker (and the retry for reads) of one backend, shared by every port that talks
 * to it: when PostgreSQL is down, the log, the history, the keys and the projections of the node
 * all see one open circuit and fail at once, instead of each waiting out its own timeouts.
 *
 * <p>Only {@link UnavailableException} counts as a failure; a caller's mistake (a stale cursor, a
 * duplicate key id) passes through without touching the breaker. While the circuit is open every
 * call fails at once with a {@link BackendUnavailableException} carrying the time left to wait;
 * after {@link ResilienceSettings#openFor()} the next calls are let through as probes (half-open),
 * and enough successes close it again — the first calls after the backend returns, whoever makes
 * them (ingest, a health probe, the projection follower), so recovery needs no operator.
 *
 * <p>Reads are retried a few times with backoff before they count as failed, since a read is
 * harmless to repeat. Writes are not: a log append retried here could land after a later append of
 * the same producer and break its order, so writes fail fast and the producer, which knows its own
 * order, retries (503 with {@code Retry-After}).
 *
 * <p>Thread-safe.
 */
public final class BackendGuard {

  private final String backend;
  private final ResilienceSettings settings;
  private final Runnable probe;
  private final CircuitBreaker breaker;
  private final Retry retry;

  /** A guard without a probe of its own: its backend is checked through the ports it guards. */
  public BackendGuard(String backend, ResilienceSettings settings, Clock clock) {
    this(backend, settings, clock, null);
  }

  /** @param probe a cheap call that throws when the backend cannot serve (a ping), for health */
  public BackendGuard(String backend, ResilienceSettings settings, Clock clock, Runnable probe) {
    this.backend = backend;
    this.settings = settings;
    this.probe = probe;
    this.breaker = CircuitBreaker.of(backend, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(settings.window())
        .minimumNumberOfCalls(settings.minimumCalls())
        .failureRateThreshold(settings.failureRate())
        .waitDurationInOpenState(settings.openFor())
        .permittedNumberOfCallsInHalfOpenState(settings.halfOpenCalls())
        // Half-open on the first call after openFor, measured on the injected clock: no timer thread.
        .automaticTransitionFromOpenToHalfOpenEnabled(false)
        .recordException(BackendGuard::isOutage)
        .clock(clock)
        .build());
    this.retry = Retry.of(backend + "-reads", RetryConfig.custom()
        .maxAttempts(settings.readAttempts())
        .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.readBackoff(), 2.0))
        // A refusal by the open breaker is not retried: it would only be refused again.
        .retryOnException(e -> isOutage(e) && !(e instanceof BackendUnavailableException b && b.circuitOpen()))
        .failAfterMaxAttempts(false)
        .build());
  }

  /** The backend's name: {@code postgres}, {@code kafka} or {@code redis}. */
  public String backend() {
    return backend;
  }

  public CircuitBreaker.State state() {
    return breaker.getState();
  }

  /** Whether calls go through normally (closed); half-open and open mean the backend is suspect. */
  public boolean isClosed() {
    return breaker.getState() == CircuitBreaker.State.CLOSED;
  }

  /**
   * For health: throws when the circuit is not closed or the probe fails (the probe goes through
   * the breaker, so health checks help it open and close like any call).
   */
  public void probe() {
    if (probe != null) {
      check(probe);
    }
    if (!isClosed()) {
      throw new BackendUnavailableException(backend, "circuit " + state().name().toLowerCase(), settings.openFor(),
          null);
    }
  }

  /** A read: retried with backoff on an outage, then through the breaker. */
  public <T> T read(Supplier<T> read) {
    return Retry.decorateSupplier(retry, () -> call(read)).get();
  }

  /** A write: through the breaker, never retried here. */
  public <T> T write(Supplier<T> write) {
    return call(write);
  }

  public void write(Runnable write) {
    call(() -> {
      write.run();
      return null;
    });
  }

  /** A health check: through the breaker (so a success helps it close), never retried. */
  public void check(Runnable check) {
    write(check);
  }

  /**
   * An asynchronous write (an append): the breaker hears how the future ends, and a future not
   * done within {@link ResilienceSettings#appendTimeout()} fails as an outage.
   */
  public <T> CompletableFuture<T> writeAsync(Supplier<CompletableFuture<T>> write) {
    if (!breaker.tryAcquirePermission()) {
      return CompletableFuture.failedFuture(refused());
    }
    long started = System.nanoTime();
    CompletableFuture<T> future;
    try {
      future = write.get();
    } catch (RuntimeException e) {
      record(started, e);
      return CompletableFuture.failedFuture(named(e));
    }
    return future.copy().orTimeout(settings.appendTimeout().toMillis(), TimeUnit.MILLISECONDS).handle((value, failure) -> {
      Throwable cause = unwrap(failure);
      if (cause instanceof TimeoutException) {
        cause = new UnavailableException("no answer within " + settings.appendTimeout().toSeconds() + " s", cause);
      }
      record(started, cause);
      if (cause != null) {
        throw new CompletionException(named(cause));
      }
      return value;
    });
  }

  private <T> T call(Supplier<T> call) {
    if (!breaker.tryAcquirePermission()) {
      throw refused();
    }
    long started = System.nanoTime();
    try {
      T value = call.get();
      record(started, null);
      return value;
    } catch (RuntimeException e) {
      record(started, e);
      throw named(e);
    }
  }

  private void record(long started, Throwable failure) {
    long took = System.nanoTime() - started;
    if (failure == null) {
      breaker.onSuccess(took, TimeUnit.NANOSECONDS);
    } else if (otherBackend(failure) != null) {
      // Another backend failed under this one (Kafka's appends wait on the Redis id ledger): not ours.
      breaker.releasePermission();
    } else {
      // The breaker's own predicate decides: outages count, a caller's mistake counts as success.
      breaker.onError(took, TimeUnit.NANOSECONDS, failure);
    }
  }

  /** The outage of another guarded backend that {@code failure} comes from, or null. */
  private BackendUnavailableException otherBackend(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BackendUnavailableException b && !b.backend().equals(backend)) {
        return b;
      }
    }
    return null;
  }

  /** An outage says which backend is down; anything else passes through as it is. */
  private RuntimeException named(Throwable failure) {
    BackendUnavailableException other = otherBackend(failure);
    if (other != null) {
      return other;
    }
    if (failure instanceof BackendUnavailableException b) {
      return b;
    }
    if (failure instanceof UnavailableException u) {
      return new BackendUnavailableException(backend, backend + " is unavailable: " + u.getMessage(),
          settings.retryAfter(), u);
    }
    return failure instanceof RuntimeException r ? r : new CompletionException(failure);
  }

  private BackendUnavailableException refused() {
    return new BackendUnavailableException(backend, backend + " is unavailable (circuit open after repeated"
        + " failures; probing again within " + settings.openFor().toSeconds() + " s)", settings.openFor(), null);
  }

  private static boolean isOutage(Throwable e) {
    return e instanceof UnavailableException;
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
