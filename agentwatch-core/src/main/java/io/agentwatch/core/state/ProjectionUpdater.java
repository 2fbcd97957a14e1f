package io.agentwatch.core.state;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.LogFollower;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * Keeps every tenant's {@link Projection} current with the log, and persisted.
 *
 * <p>A {@link LogFollower} hands it the whole log, exactly once and in order, from the cursor the
 * saved projections are current to. Changed rows are saved with that cursor every second (or
 * sooner under load), so a restart reloads them and replays only the rest. Readers see a
 * consistent state under a read lock, with the cursor it reflects.
 */
public final class ProjectionUpdater implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ProjectionUpdater.class.getName());
  private static final int PAGE = 1000;

  private final EventLog log;
  private final ProjectionStore store;
  private final LogFollower follower;
  private final ReentrantReadWriteLock state = new ReentrantReadWriteLock();
  private final Map<String, Projection> byTenant = new HashMap<>();
  /** Rows drained from the projections but not stored yet: kept until a save succeeds. */
  private final Map<RowKey, ProjectionStore.Row> unsavedRows = new LinkedHashMap<>();
  /** The cursor the projections reflect, moved under the write lock so readers see the two agree. */
  private volatile Cursor position;
  private volatile boolean rebuildRequested;

  private record RowKey(String tenant, ProjectionStore.Kind kind, String key) {}

  public ProjectionUpdater(EventLog log, ProjectionStore store, Clock clock) {
    this.log = log;
    this.store = store;
    this.follower = new LogFollower("projection-updater", log, PAGE, clock, new LogFollower.Handler() {
      @Override
      public Cursor load() {
        return ProjectionUpdater.this.load();
      }

      @Override
      public Cursor handle(List<StoredEvent> events, Cursor after) {
        apply(events, after);
        return after;
      }

      @Override
      public void save(Cursor complete) {
        ProjectionUpdater.this.save(complete);
      }
    });
  }

  /** Loads the saved projections and starts following the log. */
  public ProjectionUpdater start() {
    follower.start();
    return this;
  }

  private Cursor load() {
    if (rebuildRequested) {
      store.clear();
      rebuildRequested = false;
    }
    var saved = store.load().filter(s -> !s.cursor().isStaleFor(log.head()));
    state.writeLock().lock();
    try {
      byTenant.clear();
      unsavedRows.clear();
      if (saved.isEmpty()) {
        store.clear();
        position = log.beginning();
      } else {
        saved.get().rows().forEach(r -> projection(r.tenant()).restore(r));
        byTenant.values().forEach(Projection::drainChanged);
        position = saved.get().cursor();
      }
      return position;
    } finally {
      state.writeLock().unlock();
    }
  }

  private void apply(List<StoredEvent> batch, Cursor after) {
    state.writeLock().lock();
    try {
      for (StoredEvent e : batch) {
        try {
          projection(e.tenant()).apply(e.event());
        } catch (RuntimeException failure) {
          // The fold is pure, so a retry would fail the same way and stall every tenant; and the
          // events before it in this batch must not be applied a second time.
          LOG.log(System.Logger.Level.ERROR, "skipping event " + e + " that the projection cannot apply", failure);
        }
      }
      position = after;
    } finally {
      state.writeLock().unlock();
    }
  }

  private void save(Cursor at) {
    state.readLock().lock();
    try {
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
    return follower.awaitPosition(cursor, timeout);
  }

  /**
   * Drops the projections and rebuilds them from the log's beginning; returns once they are
   * current to the head the log had when this was called.
   */
  public Cursor rebuild(Duration timeout) throws InterruptedException {
    Cursor target = log.head();
    rebuildRequested = true;
    follower.reload();
    if (!awaitApplied(target, timeout)) {
      throw new IllegalStateException("rebuild did not reach " + target + " within " + timeout);
    }
    return position();
  }

  /** Stops following and saves what was applied. */
  @Override
  public void close() {
    follower.close();
  }
}
