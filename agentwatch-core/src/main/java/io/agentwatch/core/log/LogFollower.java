package io.agentwatch.core.log;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Follows the whole log for one pipeline reader (projections, webhook matching, analytics) on a
 * thread of its own, from a position the reader saves, and hands the events to its {@link Handler}.
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Exactly once, in order, while running.</b> From the position {@link Handler#load}
 *       returns, every event of the log is handed to {@link Handler#handle} once, in log order, in
 *       batches of at most {@code page}. The follower reads from its own position with
 *       {@link EventLog#readAll}; live notifications ({@link EventLog#tail}) only wake it, and
 *       save that read when they continue exactly where it stands, so none is missed or repeated.</li>
 *   <li><b>At least once across restarts.</b> The handler saves its state with the position
 *       {@link Handler#save} is given: at least every second or 20,000 events while busy, as soon
 *       as the log is caught up, and on {@link #close}. A crash loses what was handled after the
 *       last save, and the next start hands those events again: effects outside the handler's
 *       saved state (deliveries, appended alerts) must be idempotent.</li>
 *   <li><b>Failures are retried.</b> A handler or log that throws is logged and tried again a
 *       second later, with the same batch when {@code handle} threw: {@code handle} must either
 *       take a whole batch or throw before changing anything. A failed save is retried likewise
 *       and never moves the saved position.</li>
 *   <li><b>Stale positions.</b> {@link Handler#load} must not resume from a position the log
 *       calls stale ({@link Cursor#isStaleFor}: a wiped data folder, another store, a restored
 *       backup); it drops its state and returns {@link EventLog#beginning()} instead. When the
 *       log answers a read with {@link StaleCursorException} (it was replaced under a running
 *       reader), the follower calls {@code load} again, so the reader resumes from its saved
 *       position if the log still knows it, else rebuilds from the beginning.</li>
 *   <li><b>Complete position.</b> A handler whose effects finish later (alerts on their way into
 *       the log) returns from {@code handle} and {@link Handler#idle} how far they are complete;
 *       that position is what {@link #position()} reports, {@link #awaitPosition} waits for and
 *       {@link Handler#save} is given.</li>
 * </ul>
 * The handler is called by one thread at a time: {@link #start} loads, then the follower's own
 * thread, then {@link #close} saves once that thread stopped.
 */
public final class LogFollower implements AutoCloseable {

  /** What a {@link LogFollower} hands the log to. */
  public interface Handler {

    /**
     * Replaces the state in memory with the saved one and returns the position to follow from:
     * the saved one, or the log's beginning when there is none or it is stale. Called on start,
     * by {@link #reload()}, and when the log calls the follower's position stale.
     */
    Cursor load();

    /**
     * Takes the events right after the follower's position, in log order, all at once or not at
     * all (by throwing); {@code after} covers them. Returns how far the effects are complete:
     * {@code after}, or an earlier position handed over before.
     */
    Cursor handle(List<StoredEvent> events, Cursor after);

    /** Caught up with the log at {@code at}, before waiting for more; returns how far the effects are complete. */
    default Cursor idle(Cursor at) {
      return at;
    }

    /** Saves the state with {@code complete}, the position up to which it is complete. */
    void save(Cursor complete);
  }

  private static final System.Logger LOG = System.getLogger(LogFollower.class.getName());
  private static final Duration SAVE_EVERY = Duration.ofSeconds(1);
  private static final int SAVE_AFTER_EVENTS = 20_000;
  private static final Duration IDLE_POLL = Duration.ofMillis(200);
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final String name;
  private final EventLog log;
  private final int page;
  private final Clock clock;
  private final Handler handler;
  private final BlockingQueue<List<StoredEvent>> live = new ArrayBlockingQueue<>(256);
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the follower is woken and when the complete position moves. */
  private final Condition changed = lock.newCondition();
  private boolean woken;
  private volatile boolean running;
  private volatile boolean reloadRequested;
  /** Where reading continues: everything it covers was handed over. */
  private Cursor read;
  private volatile Cursor complete;
  private Cursor saved;
  private Instant lastSave;
  private long unsavedEvents;
  private Thread thread;
  private AutoCloseable tail;

  /** @param name names the thread and the log lines */
  public LogFollower(String name, EventLog log, int page, Clock clock, Handler handler) {
    if (page < 1) {
      throw new IllegalArgumentException("page must be positive but was " + page);
    }
    this.name = name;
    this.log = log;
    this.page = page;
    this.clock = clock;
    this.handler = handler;
  }

  /** Loads the handler's state and starts following; does nothing when running. */
  public synchronized void start() {
    if (running) {
      return;
    }
    resume();
    running = true;
    tail = log.tail(events -> {
      // Full means the follower is behind anyway: it reads those events from the log instead.
      live.offer(events);
      wake();
    });
    thread = Thread.ofPlatform().name(name).daemon(true).start(this::follow);
  }

  private void resume() {
    read = handler.load();
    saved = read;
    lastSave = clock.instant();
    unsavedEvents = 0;
    moveTo(read);
  }

  private void follow() {
    while (running) {
      try {
        if (reloadRequested) {
          resume();
          // Cleared only now: until the position is back where load put it, waiters must not return.
          reloadRequested = false;
          wake();
        }
        List<StoredEvent> batch = nextBatch();
        if (batch.isEmpty()) {
          moveTo(handler.idle(read));
          saveIfDue(true);
          awaitWake();
          continue;
        }
        Cursor after = advance(read, batch);
        Cursor done = handler.handle(batch, after);
        read = after;
        unsavedEvents += batch.size();
        moveTo(done);
        saveIfDue(false);
      } catch (StaleCursorException e) {
        LOG.log(System.Logger.Level.ERROR, name + ": the log no longer knows " + read + " (it was replaced or"
            + " restored from a backup); reloading, from its beginning where the saved position is stale too", e);
        reloadRequested = true;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, name + " failed at " + read + "; retrying", e);
        pause();
      }
    }
  }

  /**
   * The events right after the read position: the live notifications that continue exactly from
   * it (several at once, up to a page, so a busy handler takes them in few batches), else a page
   * read from the log (also when a notification is larger than a page).
   */
  private List<StoredEvent> nextBatch() {
    List<StoredEvent> batch = new ArrayList<>();
    Cursor at = read;
    List<StoredEvent> notified;
    while ((notified = live.peek()) != null) {
      Cursor from = at;
      List<StoredEvent> fresh = notified.stream().filter(e -> !from.covers(e.partition(), e.offset())).toList();
      if (fresh.isEmpty()) {
        live.poll();
        continue;
      }
      if (batch.size() + fresh.size() > page || !continuesFrom(at, fresh)) {
        break;
      }
      live.poll();
      batch.addAll(fresh);
      at = advance(at, fresh);
    }
    return batch.isEmpty() ? log.readAll(read, page) : batch;
  }

  /** Whether every event follows the one before it in its partition, starting right after {@code at}. */
  private static boolean continuesFrom(Cursor at, List<StoredEvent> events) {
    Cursor c = at;
    for (StoredEvent e : events) {
      if (e.offset() != c.position(e.partition()) + 1) {
        return false;
      }
      c = c.advance(e.partition(), e.offset());
    }
    return true;
  }

  private static Cursor advance(Cursor from, List<StoredEvent> events) {
    Cursor c = from;
    for (StoredEvent e : events) {
      c = c.advance(e.partition(), e.offset());
    }
    return c;
  }

  private void moveTo(Cursor done) {
    if (!done.equals(complete)) {
      complete = done;
      signal();
    }
  }

  private void saveIfDue(boolean idle) {
    if (complete.equals(saved)) {
      return;
    }
    boolean due = idle || unsavedEvents >= SAVE_AFTER_EVENTS
        || Duration.between(lastSave, clock.instant()).compareTo(SAVE_EVERY) >= 0;
    if (due) {
      save();
    }
  }

  private void save() {
    Cursor at = complete;
    handler.save(at);
    saved = at;
    lastSave = clock.instant();
    unsavedEvents = 0;
  }

  /** How far the handler's effects are complete (null before the first start). */
  public Cursor position() {
    return complete;
  }

  /** Waits until the complete position covers everything {@code cursor} covers; false on timeout. */
  public boolean awaitPosition(Cursor cursor, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    lock.lock();
    try {
      while (reloadRequested || !complete.coversAll(cursor)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Has the follower call {@link Handler#load} again, on its thread, and follow from there; until
   * it has, {@link #awaitPosition} does not return true.
   */
  public void reload() {
    reloadRequested = true;
    wake();
  }

  /** Wakes the follower to look at the log (and the handler's state) now. */
  public void wake() {
    lock.lock();
    try {
      woken = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void awaitWake() {
    lock.lock();
    try {
      if (!woken && live.isEmpty()) {
        changed.await(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
      }
      woken = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    } finally {
      lock.unlock();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_AFTER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the follower runs: false once {@link #close} began. */
  public boolean running() {
    return running;
  }

  /** Stops following and saves the complete position reached. */
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
      LOG.log(System.Logger.Level.WARNING, name + " did not stop cleanly", e);
    }
    if (!complete.equals(saved)) {
      try {
        save();
      } catch (RuntimeException e) {
        // Nothing is lost: the next start follows again from the last saved position.
        LOG.log(System.Logger.Level.WARNING, name + " could not save its position on close", e);
      }
    }
  }
}
