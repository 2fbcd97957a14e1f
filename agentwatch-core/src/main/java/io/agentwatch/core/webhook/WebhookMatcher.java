package io.agentwatch.core.webhook;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns events into deliveries: follows the whole log from the position saved in the
 * {@link WebhookStore} and, for every event that an enabled webhook of the event's tenant follows
 * and whose type it matches, enqueues a {@link Delivery}.
 *
 * <p>Like the projection updater, it reads from its own position instead of trusting live
 * notifications (which only wake it and, when they continue exactly where it stands, save a
 * read). Deliveries and the position after them are stored in one {@link WebhookStore#enqueue}
 * call, so a crash can neither lose a match nor skip an event; a page without matches only moves
 * the position in memory, saved at least every second, so an idle tenant costs no writes per
 * event. The subscriptions are read again when {@link #webhooksChanged()} is called (after it
 * returns, every event appended later is matched against the change) and every few seconds.
 */
public final class WebhookMatcher implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WebhookMatcher.class.getName());
  private static final int PAGE = 1000;
  private static final Duration SAVE_EVERY = Duration.ofSeconds(1);
  private static final Duration RELOAD_EVERY = Duration.ofSeconds(5);

  private final EventLog log;
  private final WebhookStore store;
  private final Clock clock;
  private final Runnable onEnqueued;
  private final BlockingQueue<List<StoredEvent>> live = new ArrayBlockingQueue<>(256);
  private final ReentrantLock signal = new ReentrantLock();
  private final Condition woken = signal.newCondition();
  private volatile boolean running;
  private volatile boolean reload = true;
  private volatile Cursor position;
  private Cursor saved;
  private Instant lastSave;
  private Instant lastLoad;
  private Map<String, List<Target>> byTenant = Map.of();
  private Thread thread;
  private AutoCloseable tail;

  private record Target(Webhook webhook, EventFilter filter) {}

  /** @param onEnqueued told (on the matcher's thread) after deliveries were stored, so senders look at once */
  public WebhookMatcher(EventLog log, WebhookStore store, Clock clock, Runnable onEnqueued) {
    this.log = log;
    this.store = store;
    this.clock = clock;
    this.onEnqueued = onEnqueued;
  }

  /** Resumes from the saved position (the log's beginning when there is none, or it is stale) and follows. */
  public synchronized WebhookMatcher start() {
    if (running) {
      return this;
    }
    position = store.position().filter(p -> !p.isStaleFor(log.head())).orElse(log.beginning());
    saved = position;
    lastSave = clock.instant();
    running = true;
    tail = log.tail(events -> {
      // Full means the matcher is behind anyway: it reads those events from the log instead.
      live.offer(events);
      wake();
    });
    thread = Thread.ofPlatform().name("webhook-matcher").daemon(true).start(this::follow);
    return this;
  }

  /** Subscriptions were added, removed or switched: read them again before matching further events. */
  public void webhooksChanged() {
    reload = true;
    wake();
  }

  /** How far the log has been matched (in memory; the store may lag by up to a second). */
  public Cursor position() {
    return position;
  }

  private void follow() {
    while (running) {
      try {
        List<StoredEvent> batch = nextBatch();
        if (batch.isEmpty()) {
          saveIfMoved(true);
          awaitWake(Duration.ofMillis(500));
          continue;
        }
        // The page is read before the subscriptions, so a change reported before an event was
        // appended is always seen when that event is matched.
        loadIfDue();
        match(batch);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "webhook matching failed; retrying from " + position, e);
        reload = true;
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  private List<StoredEvent> nextBatch() {
    List<StoredEvent> notified;
    while ((notified = live.peek()) != null) {
      List<StoredEvent> fresh = notified.stream()
          .filter(e -> !position.covers(e.partition(), e.offset())).toList();
      if (fresh.isEmpty()) {
        live.poll();
        continue;
      }
      if (!continuesFrom(position, fresh)) {
        break;
      }
      live.poll();
      return fresh;
    }
    return log.readAll(position, PAGE);
  }

  private static boolean continuesFrom(Cursor at, List<StoredEvent> events) {
    Cursor running = at;
    for (StoredEvent e : events) {
      if (e.offset() != running.position(e.partition()) + 1) {
        return false;
      }
      running = running.advance(e.partition(), e.offset());
    }
    return true;
  }

  private void loadIfDue() {
    Instant now = clock.instant();
    if (!reload && Duration.between(lastLoad, now).compareTo(RELOAD_EVERY) < 0) {
      return;
    }
    reload = false;
    Map<String, List<Target>> targets = new HashMap<>();
    for (Webhook w : store.enabled()) {
      targets.computeIfAbsent(w.tenant(), t -> new ArrayList<>()).add(new Target(w, w.filter()));
    }
    byTenant = targets;
    lastLoad = now;
  }

  private void match(List<StoredEvent> batch) {
    Cursor at = position;
    List<Delivery> deliveries = new ArrayList<>();
    Instant now = clock.instant();
    for (StoredEvent e : batch) {
      at = at.advance(e.partition(), e.offset());
      List<Target> targets = byTenant.get(e.tenant());
      if (targets == null) {
        continue;
      }
      for (Target t : targets) {
        if (t.webhook().follows(e) && t.filter().matchesType(e.event().type())) {
          deliveries.add(Delivery.of(t.webhook(), e, now));
        }
      }
    }
    if (deliveries.isEmpty()) {
      position = at;
      saveIfMoved(false);
      return;
    }
    store.enqueue(at, deliveries);
    position = at;
    saved = at;
    lastSave = now;
    onEnqueued.run();
  }

  private void saveIfMoved(boolean idle) {
    if (position.equals(saved)) {
      return;
    }
    Instant now = clock.instant();
    if (!idle && Duration.between(lastSave, now).compareTo(SAVE_EVERY) < 0) {
      return;
    }
    Cursor at = position;
    store.enqueue(at, List.of());
    saved = at;
    lastSave = now;
  }

  /** Waits until everything {@code cursor} covers has been matched; false on timeout. */
  public boolean awaitMatched(Cursor cursor, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!position.coversAll(cursor)) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  private void wake() {
    signal.lock();
    try {
      woken.signalAll();
    } finally {
      signal.unlock();
    }
  }

  private void awaitWake(Duration max) {
    signal.lock();
    try {
      if (live.isEmpty() && !reload) {
        woken.await(max.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      signal.unlock();
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops following and saves the position reached. */
  @Override
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    wake();
    try {
      thread.join(Duration.ofSeconds(10));
      tail.close();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "webhook matcher did not stop cleanly", e);
    }
    try {
      saveIfMoved(true);
    } catch (RuntimeException e) {
      // Nothing is lost: the next start matches again from the last saved position.
      LOG.log(System.Logger.Level.WARNING, "could not save the webhook matcher's position on close", e);
    }
  }
}
