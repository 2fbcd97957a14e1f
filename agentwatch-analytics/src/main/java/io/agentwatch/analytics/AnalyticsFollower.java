package io.agentwatch.analytics;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.LogFollower;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.rollup.InMemoryRollupStore;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Runs the {@link AnalyticsEngine} over the log and appends the alerts it raises to the log.
 *
 * <p>A {@link LogFollower} hands it the whole log, exactly once and in order. Each tenant's alert
 * events are appended to that tenant's log through the ordinary {@link EventLog#append}, so they
 * are durable, streamed, stored and queryable like any event; the position moves past a batch only
 * once its alerts are durable (the next batch is processed meanwhile), and is saved under
 * {@value #READER} about every second.
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

  private final EventLog log;
  private final PositionStore positions;
  /** Replaced by a fresh one when the log is followed again from its beginning; guarded by {@link #state}. */
  private AnalyticsEngine engine;
  private final Clock clock;
  private final Duration tick;
  private final LogFollower follower;
  /** Fed every event read, when in-memory rollups are kept; emptied when the replay starts over. */
  private InMemoryRollupStore rollups;
  private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
  /** Processed and with its alerts durable. */
  private Cursor durable;
  private volatile Cursor replayUntil;
  private Instant lastTick;
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
    this.follower = new LogFollower("analytics-follower", log, PAGE, clock, new LogFollower.Handler() {
      @Override
      public Cursor load() {
        return AnalyticsFollower.this.load();
      }

      @Override
      public Cursor handle(List<StoredEvent> events, Cursor after) {
        process(events, after);
        tickIfDue();
        return durable;
      }

      @Override
      public Cursor idle(Cursor at) {
        settle();
        tickIfDue();
        return durable;
      }

      @Override
      public void save(Cursor complete) {
        if (complete.coversAll(replayUntil)) {
          positions.save(READER, complete);
        }
      }
    });
  }

  /**
   * Makes the follower add every event of the log, from its beginning, to {@code rollups}; call
   * before {@link #start}.
   */
  public synchronized AnalyticsFollower feeding(InMemoryRollupStore rollups) {
    if (follower.running()) {
      throw new IllegalStateException("feeding(" + rollups + ") must be called before start()");
    }
    this.rollups = rollups;
    return this;
  }

  /** Loads the saved position and starts following the log (replaying up to it first). */
  public AnalyticsFollower start() {
    follower.start();
    return this;
  }

  /** The engine's state lives in memory: it is rebuilt by replaying from the beginning up to the saved position. */
  private Cursor load() {
    if (durable != null) {
      // Loaded again (restarted, or the log was replaced): the replay starts from an empty engine.
      state.writeLock().lock();
      try {
        engine = new AnalyticsEngine(engine.config());
      } finally {
        state.writeLock().unlock();
      }
      if (rollups != null) {
        rollups.clear();
      }
      inFlight = null;
    }
    replayUntil = positions.load(READER).filter(c -> !c.isStaleFor(log.head())).orElse(log.beginning());
    durable = log.beginning();
    lastTick = clock.instant();
    return durable;
  }

  /** Alerts on their way into the log, and the position to move to once they are durable. */
  private record InFlight(Map<String, List<Event>> alerts, CompletableFuture<Void> durable, Cursor after) {}

  /**
   * Applies a batch and sends the alerts of the events past the replay point to the log. The
   * append is not waited for here: the next batch is processed while it becomes durable, and only
   * then does the position move past this batch. One append is in flight at a time, so alerts
   * reach the log in the order they were made, even when one has to be retried.
   */
  private void process(List<StoredEvent> batch, Cursor after) {
    feedRollups(batch);
    Map<String, List<Event>> alerts = new LinkedHashMap<>();
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
      }
    } finally {
      state.writeLock().unlock();
    }
    // Throws only once closing, when the follower offers no batch again: the next start replays.
    settle();
    if (alerts.isEmpty()) {
      durable = after;
      return;
    }
    CompletableFuture<Void> sent;
    try {
      sent = appendAll(alerts);
    } catch (RuntimeException e) {
      // Refused at once (the log is unavailable): settling retries it like a failed append.
      sent = CompletableFuture.failedFuture(e);
    }
    inFlight = new InFlight(alerts, sent, after);
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
    durable = f.after();
  }

  private CompletableFuture<Void> appendAll(Map<String, List<Event>> alerts) {
    // Appends made one after another by one thread are applied in that order (EventLog's contract).
    return CompletableFuture.allOf(alerts.entrySet().stream()
        .map(t -> log.append(t.getKey(), t.getValue())).toArray(CompletableFuture[]::new));
  }

  private void tickIfDue() {
    if (tick.isZero() || !durable.coversAll(replayUntil)) {
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
          if (!follower.running()) {
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
    return follower.position();
  }

  /** Whether the replay of what was processed before the last restart is done. */
  public boolean caughtUp() {
    Cursor until = replayUntil;
    Cursor position = follower.position();
    return until != null && position != null && position.coversAll(until);
  }

  /** Waits until the analytics has processed everything {@code cursor} covers; false on timeout. */
  public boolean awaitApplied(Cursor cursor, Duration timeout) throws InterruptedException {
    return follower.awaitPosition(cursor, timeout);
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
  public void close() {
    follower.close();
  }
}
