package io.agentwatch.core.state;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Keeps every tenant's {@link Projection} current with the log, and persisted.
 *
 * <p>One thread follows the whole log with {@link EventLog#readAll} from the cursor the projections
 * are current to, woken by the log's live notifications; it never misses an event and never
 * applies one twice, because it reads from its own position instead of trusting notifications.
 * Changed rows are saved with that position every second (or sooner under load), so a restart
 * reloads them and replays only the rest. Readers see a consistent state under a read lock, with
 * the cursor it reflects.
 */
public final class ProjectionUpdater implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ProjectionUpdater.class.getName());
  private static final int PAGE = 1000;
  private static final Duration PERSIST_EVERY = Duration.ofSeconds(1);
  private static final int PERSIST_AFTER_EVENTS = 20_000;

  private final EventLog log;
  private final ProjectionStore store;
  private final Clock clock;
  private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
  private final Map<String, Projection> byTenant = new HashMap<>();
  private final BlockingQueue<List<StoredEvent>> live = new ArrayBlockingQueue<>(256);
  private final ReentrantLock signal = new ReentrantLock();
  private final Condition changed = signal.newCondition();
  private volatile Cursor position;
  private volatile boolean running;
  private volatile boolean rebuildRequested;
  private Thread thread;
  private AutoCloseable tail;
  private long unsavedEvents;
  /** Rows drained from the projections but not stored yet: kept until a save succeeds. */
  private final Map<RowKey, ProjectionStore.Row> unsavedRows = new LinkedHashMap<>();
  private Instant lastSave;

  private record RowKey(String tenant, ProjectionStore.Kind kind, String key) {}

  public ProjectionUpdater(EventLog log, ProjectionStore store, Clock clock) {
    this.log = log;
    this.store = store;
    this.clock = clock;
  }

  /** Loads the saved projections and starts following the log. */
  public synchronized ProjectionUpdater start() {
    if (running) {
      return this;
    }
    load();
    running = true;
    tail = log.tail(events -> {
      // Full means the updater is behind anyway: it reads those events from the log instead.
      live.offer(events);
      wake();
    });
    thread = Thread.ofPlatform().name("projection-updater").daemon(true).start(this::follow);
    return this;
  }

  private void load() {
    var saved = store.load().filter(s -> !s.cursor().isStaleFor(log.head()));
    state.writeLock().lock();
    try {
      byTenant.clear();
      unsavedRows.clear();
      if (saved.isPresent()) {
        saved.get().rows().forEach(r -> projection(r.tenant()).restore(r));
        byTenant.values().forEach(Projection::drainChanged);
        position = saved.get().cursor();
      } else {
        store.clear();
        position = log.beginning();
      }
    } finally {
      state.writeLock().unlock();
    }
    lastSave = clock.instant();
  }

  private void follow() {
    while (running) {
      try {
        if (rebuildRequested) {
          store.clear();
          load();
          // Cleared only now: until the position is back at the beginning, waiters must not return.
          rebuildRequested = false;
        }
        List<StoredEvent> batch = nextBatch();
        if (batch.isEmpty()) {
          saveIfDue(true);
          awaitWake(Duration.ofMillis(200));
          continue;
        }
        apply(batch);
        saveIfDue(false);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "projection update failed; retrying", e);
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  /**
   * The events right after the position: from the live notifications when they continue exactly
   * where the projections stand (no read, and the events are already decoded), else from the log.
   */
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

  /** Whether every event follows the one before it in its partition, starting right after {@code at}. */
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

  private void apply(List<StoredEvent> batch) {
    state.writeLock().lock();
    Cursor at = position;
    try {
      for (StoredEvent e : batch) {
        try {
          projection(e.tenant()).apply(e.event());
        } catch (RuntimeException failure) {
          // The fold is pure, so a retry would fail the same way and stall every tenant; and the
          // events before it in this batch must not be applied a second time.
          LOG.log(System.Logger.Level.ERROR, "skipping event " + e + " that the projection cannot apply", failure);
        }
        at = at.advance(e.partition(), e.offset());
      }
      position = at;
    } finally {
      state.writeLock().unlock();
    }
    unsavedEvents += batch.size();
    wake();
  }

  private void saveIfDue(boolean idle) {
    if (unsavedEvents == 0) {
      return;
    }
    boolean due = unsavedEvents >= PERSIST_AFTER_EVENTS
        || Duration.between(lastSave, clock.instant()).compareTo(PERSIST_EVERY) >= 0;
    if (!due && !idle) {
      return;
    }
    save();
  }

  private void save() {
    Cursor at;
    state.readLock().lock();
    try {
      at = position;
      byTenant.forEach((tenant, p) -> p.drainChanged().forEach(o -> {
        ProjectionStore.Row row = Projection.row(tenant, o);
        unsavedRows.put(new RowKey(row.tenant(), row.kind(), row.key()), row);
      }));
    } finally {
      state.readLock().unlock();
    }
    // Drained rows stay pending until stored: after a failed save the next one must still carry
    // them, or the saved cursor would move past changes that were never stored.
    store.save(at, new ArrayList<>(unsavedRows.values()));
    unsavedRows.clear();
    unsavedEvents = 0;
    lastSave = clock.instant();
  }

  private Projection projection(String tenant) {
    return byTenant.computeIfAbsent(tenant, t -> new Projection());
  }

  /**
   * Reads {@code tenant}'s projection under the read lock; {@code reader} must copy what it needs
   * (serialize it) before returning.
   */
  public <T> T read(String tenant, Function<Projection, T> reader) {
    state.readLock().lock();
    try {
      return reader.apply(byTenant.getOrDefault(tenant, new Projection()));
    } finally {
      state.readLock().unlock();
    }
  }

  /** The cursor the projections are current to. */
  public Cursor position() {
    return position;
  }

  /** Waits until the projections include everything {@code cursor} covers; false on timeout. */
  public boolean awaitApplied(Cursor cursor, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    signal.lock();
    try {
      while (!position.coversAll(cursor) || rebuildRequested) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
      return true;
    } finally {
      signal.unlock();
    }
  }

  /**
   * Drops the projections and rebuilds them from the log's beginning; returns once they are
   * current to the head the log had when this was called.
   */
  public Cursor rebuild(Duration timeout) throws InterruptedException {
    Cursor target = log.head();
    rebuildRequested = true;
    wake();
    if (!awaitApplied(target, timeout)) {
      throw new IllegalStateException("rebuild did not reach " + target + " within " + timeout);
    }
    return position;
  }

  private void wake() {
    signal.lock();
    try {
      changed.signalAll();
    } finally {
      signal.unlock();
    }
  }

  private void awaitWake(Duration max) {
    signal.lock();
    try {
      changed.await(max.toMillis(), TimeUnit.MILLISECONDS);
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

  /** Stops following and saves what was applied. */
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
      LOG.log(System.Logger.Level.WARNING, "projection updater did not stop cleanly", e);
    }
    if (unsavedEvents > 0) {
      try {
        save();
      } catch (RuntimeException e) {
        // Nothing is lost: the next start replays the log from the last saved cursor.
        LOG.log(System.Logger.Level.WARNING, "could not save the projections on close", e);
      }
    }
  }
}
