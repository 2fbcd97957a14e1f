package io.agentwatch.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever the interleaving, retries, clock skew and restarts, the projections a
 * {@link ProjectionUpdater} keeps while events stream in equal a fold of the log from scratch —
 * also as reloaded from its store, and after a rebuild. Seeded: a failure prints the seed, and
 * {@code -Dagentwatch.seed=<seed>} replays the same cases.
 */
class ProjectionUpdaterPropertyTest {

  private static final int ITERATIONS = 12;
  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * An in-memory store whose saves can fail (the updater must keep what it drained) or be lost
   * (a crash before the save: the next updater replays from the previous cursor).
   */
  static final class UnreliableStore implements ProjectionStore {
    private final InMemoryProjectionStore delegate = new InMemoryProjectionStore();
    private volatile int failures;
    private volatile boolean dropping;
    private volatile int failed;

    @Override
    public Optional<Saved> load() {
      return delegate.load();
    }

    @Override
    public void save(Cursor cursor, List<Row> rows) {
      if (dropping) {
        return;
      }
      if (failures > 0) {
        failures--;
        failed++;
        throw new UnavailableException("injected save failure");
      }
      delegate.save(cursor, rows);
    }

    @Override
    public void clear() {
      delegate.clear();
    }

    @Override
    public List<RunSnapshot> snapshots(String tenant, String runId) {
      return delegate.snapshots(tenant, runId);
    }

    @Override
    public void saveSnapshot(String tenant, String runId, RunSnapshot snapshot) {
      delegate.saveSnapshot(tenant, runId, snapshot);
    }

    @Override
    public void check() {}
  }

  private static void append(EventLog log, AgentRuns.Batch batch) {
    List<AppendResult> results = log.append(batch.tenant(), batch.events()).orTimeout(30, TimeUnit.SECONDS).join();
    assertThat(results).hasSize(batch.events().size());
  }

  private static void assertEqualsAFoldFromScratch(ProjectionUpdater updater, EventLog log, String description)
      throws InterruptedException {
    assertThat(updater.awaitApplied(log.head(), WAIT)).as("%s: caught up with %s", description, log.head()).isTrue();
    Map<String, Projection> expected = Folds.byTenant(Folds.readAll(log));
    assertThat(expected).as(description).isNotEmpty();
    expected.forEach((tenant, fold) -> assertThat(updater.read(tenant, Projection::toJson))
        .as("%s tenant=%s", description, tenant)
        .isEqualTo(fold.toJson()));
  }

  @Test
  void projectionsFollowingTheLogAcrossRestartsEqualAFoldFromScratchAndARebuild() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    int failedSaves = 0;
    int injected = 0;
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      AgentRuns runs = new AgentRuns(random, T0, 40, 3000);
      int tenants = 1 + random.nextInt(3);
      int[][] shape = new int[2 + random.nextInt(4)][];
      for (int r = 0; r < shape.length; r++) {
        shape[r] = new int[] {random.nextInt(tenants), 1 + random.nextInt(4), 1 + random.nextInt(12),
            random.nextInt(150)};
      }
      List<AgentRuns.Batch> batches = runs.batches(runs.plan(shape), 40);
      int restartAt = random.nextInt(batches.size() + 1);
      boolean crash = random.nextBoolean();
      UnreliableStore store = new UnreliableStore();
      // Each failed save costs the updater a second's pause, so only a few per run.
      store.failures = failedSaves + injected < 2 && random.nextInt(3) == 0 ? 1 : 0;
      injected += store.failures;
      String description = "seed=" + seed + " iteration=" + iteration + " batches=" + batches.size()
          + " restartAt=" + restartAt + (crash ? " (crash)" : "") + (store.failures > 0 ? " (a save fails)" : "");

      try (InMemoryEventLog log = new InMemoryEventLog()) {
        ProjectionUpdater updater = new ProjectionUpdater(log, store, Clock.systemUTC()).start();
        try {
          for (int b = 0; b <= batches.size(); b++) {
            if (b == restartAt) {
              store.dropping = crash;
              updater.close();
              store.dropping = false;
              updater = new ProjectionUpdater(log, store, Clock.systemUTC()).start();
            }
            if (b < batches.size()) {
              append(log, batches.get(b));
              if (random.nextInt(8) == 0) {
                Thread.sleep(1);
              }
            }
          }
          assertEqualsAFoldFromScratch(updater, log, description + " while following");

          updater.close();
          updater = new ProjectionUpdater(log, store, Clock.systemUTC()).start();
          assertEqualsAFoldFromScratch(updater, log, description + " as reloaded from the store");

          updater.rebuild(WAIT);
          assertEqualsAFoldFromScratch(updater, log, description + " after a rebuild");
        } finally {
          updater.close();
        }
      }
      failedSaves += store.failed;
    }
    System.out.println("ProjectionUpdaterPropertyTest seed=" + seed + " failed saves=" + failedSaves);
  }
}
