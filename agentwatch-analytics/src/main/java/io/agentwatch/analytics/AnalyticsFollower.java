package io.agentwatch.analytics;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Runs the {@link AnalyticsEngine} over the log and appends the alerts it raises to the log.
 *
 * <p>One thread follows the whole log with {@link EventLog#readAll} from its own position, woken
 * by the log's live notifications and using them directly when they continue exactly where it
 * stands (the approach of core's {@code ProjectionUpdater}). Each tenant's alert events are
 * appended to that tenant's log through the ordinary {@link EventLog#append}, so they are durable,
 * streamed, stored and queryable like any event; the position moves past a batch only once its
 * alerts are durable (the next batch is processed meanwhile), and is saved under {@value #READER}
 * about every second.
 *
 * <p>Restart: the engine's state lives in memory, so a start first replays the log from the
 * beginning up to the saved position without appending (those alerts are in the log already,
 * and the engine adopts them from there), then continues from the position appending again. A
 * position saved a little late only repeats alerts, which the log ignores as duplicates since
 * their ids are derived from their causes.
 *
 * <p>Ticks: every {@code tick} of wall time, each tenant's event time is moved forward by the wall
 * time since its last event arrived ({@link TenantAnalytics#liveTime}), so stuck tasks and lost
 * agents are reported even when a tenant falls silent. This is the one input that is not in the
 * log; the alerts it fires carry their deadline as time and an id derived from their cause, so a
 * replay that reaches the deadline through later events makes the same alert. Readers see a
 * consistent engine under a read lock.
 *
 * <p>Rollups: given a store with {@link #feeding}, the follower adds every event it reads to it,
 * before its position moves past the event. It is meant for a store held in memory, which the
 * replay at each start rebuilds; a store the log keeps itself (PostgreSQL) is never fed.
 */
public final class AnalyticsFollower implements AutoCloseable {

  /** The name the position is saved under. */
  public static final String READER = "analytics";

  private static final System.Logger LOG = System.getLogger(AnalyticsFollower.class.getName());
  private static final int PAGE = 5000;
  private static final Duration SAVE_EVERY = Duration.ofSeconds(1);

  private final EventLog log;
  private final PositionStore positions;
  private final AnalyticsEngine engine;
  private final Clock clock;
  private final Duration tick;
  private RollupStore rollups;
  private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
  private final BlockingQueue<List<StoredEvent>> live = new ArrayBlockingQueue<>(256);
  private final ReentrantLock signal = new ReentrantLock();
  private final Condition changed = signal.newCondition();
  /** Processed and with its alerts durable: what readers may rely on and what is saved. */
  private volatile Cursor position;
  /** Processed by the engine, its alerts possibly still on their way: where reading continues. */
  private Cursor processed;
  private volatile boolean running;
  private volatile Cursor replayUntil;
  private Cursor savedPosition;
  private Instant lastSave;
  private Instant lastTick;
  private Thread thread;
  private AutoCloseable tail;
  private InFlight inFlight;

  /**
   * @param tick wall time between ticks; zero turns ticks off (deadlines then fire only when later
   *             events move event time past them)
   */
  public AnalyticsFollower(EventLog log, PositionStore positions, AnalyticsEngine engine, Clock clock, Duration tick) {
    if (tick == null || tick.isNegative()) {
      throw new IllegalArgumentException("tick must be zero or positive but was " + tick);
    }
    this.log = log;
    this.positions = positions;
    this.engine = engine;
    this.clock = clock;
    this.tick = tick;
  }

  /**
   * Makes the follower add every event of the log, from its beginning, to {@code rollups}; call
   * before {@link #start}.
   */
  public synchronized AnalyticsFollower feeding(RollupStore rollups) {
    if (running) {
      throw new IllegalStateException("feeding(" + rollups + ") must be called before start()");
    }
    this.rollups = rollups;
    return this;
  }

  /** Loads the saved position and starts following the log (replaying up to it first). */
  public synchronized AnalyticsFollower start() {
    if (running) {
      return this;
    }
    Cursor head = log.head();
    replayUntil = positions.load(READER).filter(c -> !c.isStaleFor(head)).orElse(log.beginning());
    savedPosition = replayUntil;
    position = log.beginning();
    processed = position;
    lastSave = clock.instant();
    lastTick = clock.instant();
    running = true;
    tail = log.tail(events -> {
      // Full means the follower is behind anyway: it reads those events from the log instead.
      live.offer(events);
      wake();
    });
    thread = Thread.ofPlatform().name("analytics-follower").daemon(true).start(this::follow);
    return this;
  }

  private void follow() {
    while (running) {
      try {
        List<StoredEvent> batch = nextBatch();
        if (batch.isEmpty()) {
          settle();
          tickIfDue();
          saveIfDue(true);
          awaitWake(Duration.ofMillis(200));
          continue;
        }
        process(batch);
        tickIfDue();
        saveIfDue(false);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "analytics failed; retrying", e);
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  /**
   * The events right after the position: the live notifications that continue exactly from it
   * (several at once, up to a page, so that one durable append of alerts serves them all when
   * the follower is behind), else a read from the log.
   */
  private List<StoredEvent> nextBatch() {
    List<StoredEvent> batch = new ArrayList<>();
    Cursor at = processed;
    List<StoredEvent> notified;
    while (batch.size() < PAGE && (notified = live.peek()) != null) {
      Cursor from = at;
      List<StoredEvent> fresh = notified.stream().filter(e -> !from.covers(e.partition(), e.offset())).toList();
      if (fresh.isEmpty()) {
        live.poll();
        continue;
      }
      if (!continuesFrom(at, fresh)) {
        break;
      }
      live.poll();
      batch.addAll(fresh);
      for (StoredEvent e : fresh) {
        at = at.advance(e.partition(), e.offset());
      }
    }
    return batch.isEmpty() ? log.readAll(processed, PAGE) : batch;
  }

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

  /** Alerts on their way into the log, and the position to move to once they are durable. */
  private record InFlight(Map<String, List<Event>> alerts, CompletableFuture<Void> durable, Cursor after) {}

  /**
   * Applies a batch and sends the alerts of the events past the replay point to the log. The
   * append is not waited for here: the next batch is processed while it becomes durable, and only
   * then does the position move past this batch. One append is in flight at a time, so alerts
   * reach the log in the order they were made, even when one has to be retried.
   */
  private void process(List<StoredEvent> batch) {
    feedRollups(batch);
    Map<String, List<Event>> alerts = new LinkedHashMap<>();
    Cursor at = processed;
    state.writeLock().lock();
    try {
      for (StoredEvent stored : batch) {
        try {
          List<Event> raised = engine.apply(stored.tenant(), stored.event(), stored.receivedAt());
          if (!raised.isEmpty() && !replayUntil.covers(stored.partition(), stored.offset())) {
            alerts.computeIfAbsent(stored.tenant(), t -> new ArrayList<>()).addAll(raised);
          }
        } catch (RuntimeException failure) {
          // The engine is deterministic, so a retry would fail the same way and stall every tenant;
          // and the events before it in this batch must not be applied a second time.
          LOG.log(System.Logger.Level.ERROR, "skipping event " + stored + " that the analytics cannot apply", failure);
        }
        at = at.advance(stored.partition(), stored.offset());
      }
    } finally {
      state.writeLock().unlock();
    }
    processed = at;
    settle();
    if (alerts.isEmpty()) {
      moveTo(at);
      return;
    }
    CompletableFuture<Void> durable;
    try {
      durable = appendAll(alerts);
    } catch (RuntimeException e) {
      // Refused at once (the log is unavailable): settling retries it like a failed append.
      durable = CompletableFuture.failedFuture(e);
    }
    inFlight = new InFlight(alerts, durable, at);
  }

  private void feedRollups(List<StoredEvent> batch) {
    if (rollups == null) {
      return;
    }
    Map<String, List<Event>> byTenant = new LinkedHashMap<>();
    for (StoredEvent stored : batch) {
      byTenant.computeIfAbsent(stored.tenant(), t -> new ArrayList<>()).add(stored.event());
    }
    byTenant.forEach(rollups::add);
  }

  /** Waits for the alerts in flight to be durable (retrying them if needed), then moves the position past them. */
  private void settle() {
    InFlight f = inFlight;
    if (f == null) {
      return;
    }
    try {
      f.durable().join();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot append alerts; retrying", e);
      appendDurably(f.alerts());
    }
    inFlight = null;
    moveTo(f.after());
  }

  private void moveTo(Cursor at) {
    position = at;
    wake();
  }

  private CompletableFuture<Void> appendAll(Map<String, List<Event>> alerts) {
    // Appends made one after another by one thread are applied in that order (EventLog's contract).
    return CompletableFuture.allOf(alerts.entrySet().stream()
        .map(t -> log.append(t.getKey(), t.getValue())).toArray(CompletableFuture[]::new));
  }

  private void tickIfDue() {
    if (tick.isZero() || !caughtUp()) {
      return;
    }
    Instant now = clock.instant();
    if (Duration.between(lastTick, now).compareTo(tick) < 0) {
      return;
    }
    lastTick = now;
    settle();
    Map<String, List<Event>> alerts;
    state.writeLock().lock();
    try {
      alerts = engine.tick(now);
    } finally {
      state.writeLock().unlock();
    }
    appendDurably(alerts);
  }

  private void appendDurably(Map<String, List<Event>> alerts) {
    for (Map.Entry<String, List<Event>> tenant : alerts.entrySet()) {
      while (true) {
        try {
          log.append(tenant.getKey(), tenant.getValue()).join();
          break;
        } catch (RuntimeException e) {
          if (!running) {
            // Not lost: the position has not moved past these events, so the next start makes them again.
            throw e;
          }
          LOG.log(System.Logger.Level.WARNING, "cannot append " + tenant.getValue().size() + " alerts of tenant "
              + tenant.getKey() + "; retrying", e);
          sleep(Duration.ofSeconds(1));
        }
      }
    }
  }

  private void saveIfDue(boolean idle) {
    if (position.equals(savedPosition) || !position.coversAll(replayUntil)) {
      return;
    }
    if (!idle && Duration.between(lastSave, clock.instant()).compareTo(SAVE_EVERY) < 0) {
      return;
    }
    save();
  }

  private void save() {
    Cursor at = position;
    positions.save(READER, at);
    savedPosition = at;
    lastSave = clock.instant();
  }

  /** Reads the engine under the read lock; {@code reader} must copy what it needs before returning. */
  public <T> T read(Function<AnalyticsEngine, T> reader) {
    state.readLock().lock();
    try {
      return reader.apply(engine);
    } finally {
      state.readLock().unlock();
    }
  }

  /** The log position the analytics has processed (and whose alerts are durable). */
  public Cursor position() {
    return position;
  }

  /** Whether the replay of what was processed before the last restart is done. */
  public boolean caughtUp() {
    Cursor until = replayUntil;
    return until != null && position.coversAll(until);
  }

  /** Waits until the analytics has processed everything {@code cursor} covers; false on timeout. */
  public boolean awaitApplied(Cursor cursor, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    signal.lock();
    try {
      while (!position.coversAll(cursor)) {
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
      LOG.log(System.Logger.Level.WARNING, "analytics follower did not stop cleanly", e);
    }
    try {
      if (inFlight != null) {
        settle();
      }
      if (position.coversAll(replayUntil) && !position.equals(savedPosition)) {
        save();
      }
    } catch (RuntimeException e) {
      // Nothing is lost: the next start replays from the last saved position.
      LOG.log(System.Logger.Level.WARNING, "could not save the analytics position on close", e);
    }
  }
}
