package io.agentwatch.core.webhook;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.LogFollower;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns events into deliveries: a {@link LogFollower} hands it the whole log from the position
 * saved in the {@link WebhookStore} and, for every event that an enabled webhook of the event's
 * tenant follows and whose type it matches, it enqueues a {@link Delivery}.
 *
 * <p>Deliveries and the position after them are stored in one {@link WebhookStore#enqueue} call,
 * so a crash can neither lose a match nor skip an event; a page without matches only moves the
 * position in memory, saved at least every second, so an idle tenant costs no writes per event.
 * The subscriptions are read again when {@link #webhooksChanged()} is called (after it returns,
 * every event appended later is matched against the change), after a failure, and every few
 * seconds.
 */
public final class WebhookMatcher implements AutoCloseable {

  private static final int PAGE = 1000;
  private static final Duration RELOAD_EVERY = Duration.ofSeconds(5);

  private final EventLog log;
  private final WebhookStore store;
  private final Clock clock;
  private final Runnable onEnqueued;
  private final LogFollower follower;
  private volatile boolean reload = true;
  /** The position the store holds. */
  private Cursor stored;
  private Instant lastLoad;
  private Map<String, List<Target>> byTenant = Map.of();

  private record Target(Webhook webhook, EventFilter filter) {}

  /** @param onEnqueued told (on the matcher's thread) after deliveries were stored, so senders look at once */
  public WebhookMatcher(EventLog log, WebhookStore store, Clock clock, Runnable onEnqueued) {
    this.log = log;
    this.store = store;
    this.clock = clock;
    this.onEnqueued = onEnqueued;
    this.follower = new LogFollower("webhook-matcher", log, PAGE, clock, new LogFollower.Handler() {
      @Override
      public Cursor load() {
        stored = store.position().filter(p -> !p.isStaleFor(log.head())).orElse(log.beginning());
        return stored;
      }

      @Override
      public Cursor handle(List<StoredEvent> events, Cursor after) {
        try {
          // The page was read before the subscriptions, so a change reported before an event was
          // appended is always seen when that event is matched.
          loadIfDue();
          match(events, after);
          return after;
        } catch (RuntimeException e) {
          reload = true;
          throw e;
        }
      }

      @Override
      public void save(Cursor complete) {
        if (!complete.equals(stored)) {
          store.enqueue(complete, List.of());
          stored = complete;
        }
      }
    });
  }

  /** Resumes from the saved position (the log's beginning when there is none, or it is stale) and follows. */
  public WebhookMatcher start() {
    follower.start();
    return this;
  }

  /** Subscriptions were added, removed or switched: read them again before matching further events. */
  public void webhooksChanged() {
    reload = true;
    follower.wake();
  }

  /** How far the log has been matched (in memory; the store may lag by up to a second). */
  public Cursor position() {
    return follower.position();
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

  private void match(List<StoredEvent> batch, Cursor after) {
    List<Delivery> deliveries = new ArrayList<>();
    Instant now = clock.instant();
    for (StoredEvent e : batch) {
      for (Target t : byTenant.getOrDefault(e.tenant(), List.of())) {
        if (t.webhook().follows(e) && t.filter().matchesType(e.event().type())) {
          deliveries.add(Delivery.of(t.webhook(), e, now));
        }
      }
    }
    if (!deliveries.isEmpty()) {
      store.enqueue(after, deliveries);
      stored = after;
      onEnqueued.run();
    }
  }

  /** Waits until everything {@code cursor} covers has been matched; false on timeout. */
  public boolean awaitMatched(Cursor cursor, Duration timeout) throws InterruptedException {
    return follower.awaitPosition(cursor, timeout);
  }

  /** Stops following and saves the position reached. */
  @Override
  public void close() {
    follower.close();
  }
}
