package io.agentwatch.server.cluster;

import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.model.Cursor;
import io.agentwatch.server.resilience.BackendGuard;
import java.util.List;
import java.util.Optional;

/**
 * Where a cluster node's {@link ProjectionUpdater} keeps its projections: nowhere but in the node's
 * memory, while time-travel snapshots are shared by every node in PostgreSQL.
 *
 * <p>Each node follows the whole shared log and folds it into its own in-memory projections, so
 * every node answers {@code /api/v1/agents}, {@code /runs} and {@code /tasks} from its own copy,
 * current to what that node has read (milliseconds behind the log). Nodes never write projection
 * rows to a shared table: several writers saving rows with their own cursors would mix states of
 * different log positions, and a restart would then apply events twice. A restarted node instead
 * replays the log from its beginning (the fold runs at about two million events a second; reading
 * the log from PostgreSQL is the bound), which is what makes the nodes stateless.
 *
 * <p>Snapshots are another matter: one is the state of a run after its first n events in log order,
 * the same on every node, written once and never changed, so nodes share them. {@link #clear()}
 * does not drop them — a node starting up clears its (empty) projections, and dropping shared
 * snapshots under another node's time-travel query could make that query skip a stretch of the
 * run. After an upgrade that changes the fold, truncate {@code run_snapshots} while no node runs
 * (docs/distributed.md).
 */
final class ClusterProjectionStore implements ProjectionStore {

  private final ProjectionStore shared;
  private final BackendGuard guard;

  ClusterProjectionStore(ProjectionStore shared, BackendGuard guard) {
    this.shared = shared;
    this.guard = guard;
  }

  /** Nothing is kept between starts: the node replays the shared log. */
  @Override
  public Optional<Saved> load() {
    return Optional.empty();
  }

  /** The node's projections live in its memory only. */
  @Override
  public void save(Cursor cursor, List<Row> rows) {
    // Deliberately empty: see the class comment.
  }

  /** Nothing of this node is stored; the shared snapshots stay (see the class comment). */
  @Override
  public void clear() {
    // Deliberately empty: see the class comment.
  }

  @Override
  public List<RunSnapshot> snapshots(String tenant, String runId) {
    return guard.read(() -> shared.snapshots(tenant, runId));
  }

  @Override
  public void saveSnapshot(String tenant, String runId, RunSnapshot snapshot) {
    guard.write(() -> shared.saveSnapshot(tenant, runId, snapshot));
  }

  @Override
  public void check() {
    guard.check(shared::check);
  }
}
