package io.agentwatch.core.state;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.util.List;

/**
 * A run's state at any instant, rebuilt from the log: the fold, in log order, of exactly the run's
 * events whose producer time is at or before that instant.
 *
 * <p>To stay fast on long runs it keeps snapshots of the run's state after every so many of its
 * events (in log order, whatever their times), made the first time someone travels through that
 * part of the run. A query starts from the last snapshot whose events all lie at or before the
 * instant, then scans only the later stretches that contain an early enough event — each snapshot
 * records the earliest time in its stretch — so skewed producer clocks cost a little more work,
 * never a wrong answer.
 */
public final class TimeTravel {

  private static final int PAGE = 1000;

  private final EventStore events;
  private final ProjectionStore store;
  private final int minSnapshotEvery;

  /**
   * @param minSnapshotEvery the least number of events between two snapshots; a run with many
   *                         tasks snapshots less often, so snapshots cost at most about a tenth of
   *                         the events they skip
   */
  public TimeTravel(EventStore events, ProjectionStore store, int minSnapshotEvery) {
    this.events = events;
    this.store = store;
    this.minSnapshotEvery = minSnapshotEvery;
  }

  /** The run's agents, tasks and totals as they were at {@code at}. */
  public Projection stateAt(String tenant, String runId, Instant at) {
    List<ProjectionStore.RunSnapshot> snapshots = store.snapshots(tenant, runId);
    int base = -1;
    for (int i = 0; i < snapshots.size(); i++) {
      if (!snapshots.get(i).maxTs().isAfter(at)) {
        base = i;
      }
    }
    Projection result = base < 0 ? new Projection() : Projection.fromJson(snapshots.get(base).json());
    for (int j = base + 1; j < snapshots.size(); j++) {
      ProjectionStore.RunSnapshot stretch = snapshots.get(j);
      if (!stretch.segmentMinTs().isAfter(at)) {
        Cursor from = j == 0 ? null : snapshots.get(j - 1).cursor();
        scan(tenant, runId, from, stretch.cursor(), at, result);
      }
    }
    extendSnapshots(tenant, runId, snapshots, result, at);
    return result;
  }

  /**
   * Scans the run's events after the last snapshot: applies those at or before {@code at} to
   * {@code result}, and records new snapshots as the stretch grows long enough.
   */
  private void extendSnapshots(String tenant, String runId, List<ProjectionStore.RunSnapshot> snapshots,
      Projection result, Instant at) {
    ProjectionStore.RunSnapshot last = snapshots.isEmpty() ? null : snapshots.getLast();
    Projection building = last == null ? new Projection() : Projection.fromJson(last.json());
    long count = last == null ? 0 : last.events();
    Instant maxTs = last == null ? Instant.MIN : last.maxTs();
    Cursor after = last == null ? null : last.cursor();
    Instant stretchMin = Instant.MAX;
    int sinceSnapshot = 0;
    while (true) {
      EventPage page = events.query(tenant, new EventQuery(new EventFilter(runId, null, List.of()), null, null,
          after, PAGE));
      for (StoredEvent e : page.events()) {
        Instant ts = e.event().ts();
        if (!ts.isAfter(at)) {
          result.apply(e.event());
        }
        building.apply(e.event());
        count++;
        sinceSnapshot++;
        maxTs = ts.isAfter(maxTs) ? ts : maxTs;
        stretchMin = ts.isBefore(stretchMin) ? ts : stretchMin;
        if (sinceSnapshot >= Math.max(minSnapshotEvery, 10L * building.size())) {
          store.saveSnapshot(tenant, runId,
              new ProjectionStore.RunSnapshot(e.cursor(), count, maxTs, stretchMin, building.toJson()));
          sinceSnapshot = 0;
          stretchMin = Instant.MAX;
        }
      }
      if (page.next() == null) {
        return;
      }
      after = page.next();
    }
  }

  /**
   * Applies to {@code result} the run's events after {@code from} up to and including {@code to}
   * whose time is at or before {@code at}. Times are checked here, not in the query, so the scan
   * ends with the stretch instead of searching the rest of the run for early events.
   */
  private void scan(String tenant, String runId, Cursor from, Cursor to, Instant at, Projection result) {
    Cursor after = from;
    while (true) {
      EventPage page = events.query(tenant, new EventQuery(new EventFilter(runId, null, List.of()), null, null,
          after, PAGE));
      for (StoredEvent e : page.events()) {
        if (!to.covers(e.partition(), e.offset())) {
          return;
        }
        if (!e.event().ts().isAfter(at)) {
          result.apply(e.event());
        }
      }
      if (page.next() == null) {
        return;
      }
      after = page.next();
    }
  }
}
