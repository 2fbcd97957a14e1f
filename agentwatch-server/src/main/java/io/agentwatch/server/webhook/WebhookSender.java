package io.agentwatch.server.webhook;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.RetrySchedule;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works off the delivery queue. One thread looks, every poll interval or when woken (a match was
 * enqueued, an attempt finished, a redelivery was asked for), at each enabled webhook's due
 * deliveries and starts an attempt on a virtual thread for as many as that webhook's lane and
 * the overall limit allow. Each webhook has its own lane ({@link Endpoint}): at most
 * {@code perEndpoint} requests in flight and its own circuit breaker, so a slow or dead endpoint
 * delays neither other endpoints nor ingest (which never waits on webhooks at all).
 *
 * <p>An attempt's outcome is written back with {@link WebhookStore#update}: delivered on a 2xx,
 * else pending again after the {@link RetrySchedule}'s next delay, or dead after the last
 * attempt. While an endpoint's circuit is open its due deliveries wait, untouched and without
 * using up attempts; after {@code circuitOpenFor} one trial request goes out, and its success
 * closes the circuit. So every delivery gets its full number of real requests, and a dead
 * endpoint gets about one request per {@code circuitOpenFor} instead of one per delivery. An
 * attempt cut short by shutdown is not written, so the delivery is tried again after a restart.
 * It starts attempts only while this node holds the {@link SendingRole}.
 */
final class WebhookSender implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final Duration STOP_WAIT = Duration.ofSeconds(3);

  private final WebhookStore store;
  private final SendingRole role;
  private final WebhookPoster poster;
  private final WebhookProperties settings;
  private final RetrySchedule schedule;
  private final Clock clock;
  private final WebhookMetrics metrics;
  private final CircuitBreakerConfig circuitConfig;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  private final Semaphore slots;
  private final ExecutorService attempts = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("webhook-attempt-", 0).factory());
  private final ReentrantLock signal = new ReentrantLock();
  private final Condition woken = signal.newCondition();
  private boolean wakeRequested;
  private volatile boolean running;
  private Thread thread;
  private long turn;

  WebhookSender(WebhookStore store, WebhookPoster poster, WebhookProperties settings, Clock clock,
      WebhookMetrics metrics, SendingRole role) {
    this.store = store;
    this.role = role;
    this.poster = poster;
    this.settings = settings;
    this.schedule = settings.schedule();
    this.clock = clock;
    this.metrics = metrics;
    this.slots = new Semaphore(settings.maxInFlight());
    this.circuitConfig = CircuitBreakerConfig.custom()
        .slidingWindow(10, settings.circuitMinimumCalls(), CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .failureRateThreshold(settings.circuitFailureRate())
        .waitDurationInOpenState(settings.circuitOpenFor())
        .permittedNumberOfCallsInHalfOpenState(1)
        .clock(clock)
        .build();
  }

  synchronized WebhookSender start() {
    if (!running) {
      running = true;
      thread = Thread.ofPlatform().name("webhook-sender").daemon(true).start(this::run);
    }
    return this;
  }

  /** Look for due deliveries now rather than at the next poll. */
  void wake() {
    signal.lock();
    try {
      wakeRequested = true;
      woken.signalAll();
    } finally {
      signal.unlock();
    }
  }

  /** Requests in flight to all endpoints. */
  int inFlight() {
    return settings.maxInFlight() - slots.availablePermits();
  }

  /** Endpoints whose circuit is open now. */
  int openCircuits() {
    return (int) endpoints.values().stream().filter(Endpoint::isOpen).count();
  }

  private void run() {
    while (running) {
      try {
        if (role.held()) {
          startDueAttempts();
        }
      } catch (RuntimeException e) {
        LOG.warn("looking for due webhook deliveries failed; trying again", e);
      }
      awaitWake();
    }
  }

  private void startDueAttempts() {
    List<Webhook> enabled = store.enabled();
    Set<String> ids = new HashSet<>();
    enabled.forEach(w -> ids.add(w.id()));
    endpoints.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue().inFlight() == 0);
    if (enabled.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    // Each turn starts with another webhook, so a busy one cannot always take the shared slots first.
    int first = (int) (turn++ % enabled.size());
    for (int i = 0; i < enabled.size() && running; i++) {
      Webhook webhook = enabled.get((first + i) % enabled.size());
      Endpoint endpoint = endpoints.computeIfAbsent(webhook.id(),
          id -> new Endpoint(CircuitBreaker.of(id, circuitConfig)));
      int free = settings.perEndpoint() - endpoint.inFlight();
      if (free <= 0) {
        continue;
      }
      for (Delivery d : store.due(webhook.id(), now, free + endpoint.inFlight())) {
        if (endpoint.inFlight() >= settings.perEndpoint() || !endpoint.claim(d.id())) {
          continue;
        }
        // An open circuit lets nothing through; a half-open one a single trial request at a time.
        if (!endpoint.circuit().tryAcquirePermission()) {
          endpoint.release(d.id());
          break;
        }
        if (!slots.tryAcquire()) {
          endpoint.circuit().releasePermission();
          endpoint.release(d.id());
          return;
        }
        attempts.execute(() -> attempt(webhook, endpoint, d));
      }
    }
  }

  /** Runs on its own virtual thread, holding a slot, the delivery's claim and a circuit permission. */
  private void attempt(Webhook webhook, Endpoint endpoint, Delivery delivery) {
    CircuitBreaker circuit = endpoint.circuit();
    boolean permissionUsed = false;
    try {
      // The list of due deliveries may predate an attempt that just finished: send only what is still due.
      Delivery current = store.delivery(delivery.tenant(), delivery.id()).orElse(null);
      if (current == null || current.version() != delivery.version()) {
        return;
      }
      long started = System.nanoTime();
      WebhookPoster.Attempt result = poster.post(webhook, current);
      long took = System.nanoTime() - started;
      Instant now = clock.instant();
      Delivery outcome;
      if (result.succeeded()) {
        circuit.onSuccess(took, TimeUnit.NANOSECONDS);
        metrics.delivered(took);
        outcome = current.delivered(result.status(), now);
      } else {
        circuit.onError(took, TimeUnit.NANOSECONDS, new AttemptFailed(result.error()));
        metrics.failed(took);
        outcome = failed(current, result.status(), result.error(), now);
      }
      permissionUsed = true;
      if (!store.update(outcome)) {
        LOG.debug("delivery {} changed during its attempt (redelivered or removed); its outcome is dropped",
            delivery.id());
      }
    } catch (InterruptedException e) {
      // Stopping: the attempt is not recorded, so the delivery is tried again after a restart.
      Thread.currentThread().interrupt();
    } catch (UnavailableException e) {
      LOG.warn("could not record the outcome of delivery {}; it will be attempted again", delivery.id(), e);
    } catch (RuntimeException e) {
      LOG.error("webhook delivery {} failed unexpectedly; it will be attempted again", delivery.id(), e);
    } finally {
      if (!permissionUsed) {
        circuit.releasePermission();
      }
      endpoint.release(delivery.id());
      slots.release();
      wake();
    }
  }

  private Delivery failed(Delivery delivery, Integer status, String error, Instant now) {
    Instant next = schedule.next(delivery.attempts() + 1, now, ThreadLocalRandom.current());
    if (next == null) {
      metrics.dead();
      LOG.info("webhook delivery {} of event {} to webhook {} is dead after {} attempts: {}", delivery.id(),
          delivery.eventId(), delivery.webhookId(), delivery.attempts() + 1, error);
    }
    return delivery.failed(status, error, now, next);
  }

  private void awaitWake() {
    signal.lock();
    try {
      if (!wakeRequested) {
        woken.await(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
      }
      wakeRequested = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      signal.unlock();
    }
  }

  /** Stops starting attempts, gives those in flight a moment to finish, and abandons the rest. */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    wake();
    try {
      thread.join(STOP_WAIT);
      attempts.shutdown();
      if (!attempts.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        // Abandoned attempts are not recorded, so their deliveries are tried again after a restart.
        attempts.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attempts.shutdownNow();
    }
  }

  /** What the circuit breaker records for a failed attempt; the delivery keeps the details. */
  static final class AttemptFailed extends RuntimeException {
    AttemptFailed(String message) {
      super(message, null, false, false);
    }
  }
}
