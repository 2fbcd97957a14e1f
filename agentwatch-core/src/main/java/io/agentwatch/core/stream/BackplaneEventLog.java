package io.agentwatch.core.stream;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A log shared by several nodes (one database behind several servers), whose {@link #tail} hears
 * the appends of every node: each append publishes a notice on a {@link Backplane}, and one
 * follower thread per node answers any notice (or its own node's appends, or a periodic poll) by
 * reading the shared log from where it stopped. Listeners so receive every event once, in log
 * order, straight from the log: a lost or reordered notice only delays delivery, by at most
 * {@code pollEvery}.
 *
 * <p>Everything else is the shared log's. Closing this log closes the shared log's handle too.
 */
public final class BackplaneEventLog implements EventLog {

  private static final System.Logger LOG = System.getLogger(BackplaneEventLog.class.getName());
  static final int PAGE = 1_000;

  private final EventLog shared;
  private final Backplane backplane;
  private final Duration pollEvery;
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Boolean> wake = new ArrayBlockingQueue<>(1);
  private Thread follower;
  private AutoCloseable notices;
  private AutoCloseable localAppends;
  private volatile boolean closed;

  /** @param pollEvery how long the follower waits for a notice before reading the log anyway */
  public BackplaneEventLog(EventLog shared, Backplane backplane, Duration pollEvery) {
    this.shared = Objects.requireNonNull(shared, "shared");
    this.backplane = Objects.requireNonNull(backplane, "backplane");
    if (pollEvery.isNegative() || pollEvery.isZero()) {
      throw new IllegalArgumentException("pollEvery must be positive but was " + pollEvery);
    }
    this.pollEvery = pollEvery;
  }

  @Override
  public String storeId() {
    return shared.storeId();
  }

  @Override
  public Cursor head() {
    return shared.head();
  }

  @Override
  public Cursor beginning() {
    return shared.beginning();
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
    return shared.append(tenant, events).thenApply(results -> {
      Cursor last = null;
      for (AppendResult r : results) {
        if (!r.isDuplicate()) {
          last = last == null ? r.stored().cursor() : merge(last, r.stored());
        }
      }
      if (last != null) {
        try {
          backplane.publish(last);
        } catch (RuntimeException e) {
          // The other nodes' followers poll, so they still see these events, only later.
          LOG.log(System.Logger.Level.WARNING, "could not publish an append notice: " + e.getMessage());
        }
      }
      return results;
    });
  }

  private static Cursor merge(Cursor c, StoredEvent e) {
    return c.advance(e.partition(), e.offset());
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    return shared.read(tenant, after, filter, limit);
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    return shared.readAll(after, limit);
  }

  @Override
  public synchronized AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    Objects.requireNonNull(listener, "listener");
    if (follower == null && !closed) {
      startFollower();
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Registers for wake-ups before reading the head, so no append falls between the two. */
  private void startFollower() {
    String storeId = shared.storeId();
    notices = backplane.subscribe(cursor -> {
      if (cursor.storeId().equals(storeId)) {
        wake.offer(Boolean.TRUE);
      }
    });
    localAppends = shared.tail(appended -> wake.offer(Boolean.TRUE));
    Cursor from = shared.head();
    follower = Thread.ofPlatform().name("backplane-log-follower").daemon(true).start(() -> follow(from));
  }

  private void follow(Cursor from) {
    Cursor position = from;
    while (!closed) {
      try {
        wake.poll(pollEvery.toMillis(), TimeUnit.MILLISECONDS);
        position = catchUp(position);
      } catch (InterruptedException e) {
        return;
      } catch (StaleCursorException e) {
        LOG.log(System.Logger.Level.WARNING, "the shared log was replaced; following it from its head " + e.head());
        position = e.head();
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "cannot read the shared log; retrying in " + pollEvery, e);
      }
    }
  }

  private Cursor catchUp(Cursor position) {
    while (!closed) {
      List<StoredEvent> page = shared.readAll(position, PAGE);
      if (page.isEmpty()) {
        break;
      }
      for (StoredEvent e : page) {
        position = merge(position, e);
      }
      deliver(page);
      if (page.size() < PAGE) {
        break;
      }
    }
    return position;
  }

  private void deliver(List<StoredEvent> events) {
    for (Consumer<List<StoredEvent>> listener : listeners) {
      try {
        listener.accept(events);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a log listener failed on " + events.size() + " events", e);
      }
    }
  }

  @Override
  public void check() {
    shared.check();
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      t = follower;
    }
    closeQuietly(notices);
    closeQuietly(localAppends);
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    shared.close();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing a subscription failed", e);
      }
    }
  }
}
