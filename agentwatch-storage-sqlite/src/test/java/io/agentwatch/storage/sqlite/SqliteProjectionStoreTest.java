package io.agentwatch.storage.sqlite;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.state.AgentRuns;
import io.agentwatch.core.state.Folds;
import io.agentwatch.core.state.Projection;
import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.core.state.ProjectionStore.Kind;
import io.agentwatch.core.state.ProjectionStore.Row;
import io.agentwatch.core.state.ProjectionStore.RunSnapshot;
import io.agentwatch.core.state.ProjectionStoreContract;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.core.state.TimeTravel;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteProjectionStoreTest {

  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  @TempDir
  Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  private SqliteDatabase open(Path folder) {
    SqliteDatabase db = SqliteDatabase.open(folder);
    opened.add(db);
    return db;
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    opened.add(closeable);
    return closeable;
  }

  @Nested
  class AsProjectionStore extends ProjectionStoreContract {
    @Override
    protected ProjectionStore newStore() {
      return new SqliteProjectionStore(open(dir.resolve("data-" + opened.size())));
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<AppendResult> await(CompletableFuture<List<AppendResult>> future) {
    return future.orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void savedRowsCursorAndSnapshotsSurviveClosingAndReopeningTheDatabase() {
    Cursor cursor;
    List<Row> rows = List.of(
        new Row("t1", Kind.AGENT, "w1", "{\"agentId\":\"w1\"}"),
        new Row("t1", Kind.TENANT, "", "{\"events\":12}"),
        new Row("t2", Kind.TASK, "r1\u001fk1", "{\"taskId\":\"k1\"}"));
    RunSnapshot snapshot = new RunSnapshot(Cursor.at("abc", 40), 20, T0.plusNanos(123_456_789),
        T0.minusSeconds(3).plusNanos(1), "{\"events\":20}");
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      cursor = db.cursorAt(41);
      SqliteProjectionStore store = new SqliteProjectionStore(db);
      store.save(db.cursorAt(3), List.of(new Row("t1", Kind.AGENT, "w1", "{\"old\":true}")));
      store.save(cursor, rows);
      store.saveSnapshot("t1", "r1", snapshot);
    }

    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteProjectionStore store = new SqliteProjectionStore(db);
      ProjectionStore.Saved saved = store.load().orElseThrow();
      assertThat(saved.cursor()).isEqualTo(cursor);
      assertThat(saved.rows()).containsExactlyInAnyOrderElementsOf(rows);
      assertThat(store.snapshots("t1", "r1")).containsExactly(snapshot);
    }
  }

  @Test
  void aSaveThatFailsHalfwayLeavesThePreviousSaveIntact() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteProjectionStore store = new SqliteProjectionStore(db);
    store.save(db.cursorAt(1), List.of(new Row("t1", Kind.AGENT, "w1", "{\"v\":1}")));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file());
         Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TRIGGER poison BEFORE INSERT ON projection_rows WHEN NEW.key = 'poison'"
          + " BEGIN SELECT RAISE(ABORT, 'poisoned row'); END");
    }

    assertThatThrownBy(() -> store.save(db.cursorAt(2), List.of(
        new Row("t1", Kind.AGENT, "w1", "{\"v\":2}"),
        new Row("t1", Kind.AGENT, "poison", "{}"))))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("poisoned row");

    ProjectionStore.Saved saved = store.load().orElseThrow();
    assertThat(saved.cursor()).isEqualTo(db.cursorAt(1));
    assertThat(saved.rows()).containsExactly(new Row("t1", Kind.AGENT, "w1", "{\"v\":1}"));
  }

  @Test
  void theLogWaitsForAProjectionTransactionInsteadOfFailing() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteEventLog log = opened(SqliteEventLog.open(db));
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> projectionWrite = CompletableFuture.supplyAsync(() -> {
      try {
        return db.writeProjections(c -> {
          held.countDown();
          awaitQuietly(release);
          return null;
        });
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    held.await();

    CompletableFuture<List<AppendResult>> append = log.append("t1", List.of(log("a", "w1")));
    Thread.sleep(300);
    assertThat(append).as("the log's writer waits while projections write").isNotDone();
    release.countDown();

    assertThat(await(append)).noneMatch(AppendResult::isDuplicate);
    projectionWrite.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aProjectionSaveWaitsForTheLogsTransactionInsteadOfFailing() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteProjectionStore store = new SqliteProjectionStore(db);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> logWrite = CompletableFuture.supplyAsync(() -> {
      try {
        return db.write(c -> {
          held.countDown();
          awaitQuietly(release);
          return null;
        });
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    held.await();

    CompletableFuture<Void> save = CompletableFuture.runAsync(
        () -> store.save(db.cursorAt(5), List.of(new Row("t1", Kind.RUN, "r1", "{}"))));
    Thread.sleep(300);
    assertThat(save).isNotDone();
    release.countDown();

    save.get(30, TimeUnit.SECONDS);
    logWrite.get(30, TimeUnit.SECONDS);
    assertThat(store.load().orElseThrow().cursor()).isEqualTo(db.cursorAt(5));
  }

  @Test
  void aDatabaseOfTheFirstSchemaVersionGainsTheProjectionTables() throws Exception {
    SqliteDatabase.open(dir).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME));
         Statement s = c.createStatement()) {
      s.executeUpdate("DROP TABLE projection_rows");
      s.executeUpdate("DROP TABLE run_snapshots");
      // Tables of later versions too, so the file is what version 1 wrote.
      s.executeUpdate("DROP TABLE webhook_deliveries");
      s.executeUpdate("DROP TABLE webhooks");
      s.executeUpdate("UPDATE meta SET value = '1' WHERE name = 'schema_version'");
    }

    SqliteDatabase db = open(dir);
    SqliteProjectionStore store = new SqliteProjectionStore(db);
    store.save(db.cursorAt(0), List.of(new Row("t1", Kind.RUN, "r1", "{}")));
    assertThat(store.load()).isPresent();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema_version'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(Integer.toString(Schema.VERSION));
    }
  }

  @Test
  void readAllFollowsEveryTenantFromAnyPosition() {
    SqliteDatabase db = open(dir);
    SqliteEventLog log = opened(SqliteEventLog.open(db));
    for (int i = 0; i < 30; i++) {
      await(log.append("t" + (i % 3), List.of(log("e" + i, "w1"))));
    }

    List<StoredEvent> all = Folds.readAll(log);
    assertThat(all).extracting(e -> e.event().id()).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, 30).mapToObj(i -> "e" + i).toList());
    assertThat(all).extracting(StoredEvent::tenant).startsWith("t0", "t1", "t2", "t0");
    assertThat(log.readAll(all.get(9).cursor(), 5)).extracting(e -> e.event().id())
        .containsExactly("e10", "e11", "e12", "e13", "e14");
    assertThat(log.readAll(log.head(), 5)).isEmpty();
  }

  /** The log's head moves only after a commit returns; a reader that is quicker must not be told its cursor is stale. */
  @Test
  void aReaderFollowingTheLogRightBehindTheWriterIsNeverToldItsCursorIsStale() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteEventLog log = opened(SqliteEventLog.open(db));
    int writers = 4;
    int perWriter = 400;
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String agent = "w" + w;
      threads.add(Thread.ofPlatform().start(() -> {
        for (int i = 0; i < perWriter; i++) {
          await(log.append("t1", List.of(log(agent + "-" + i, agent))));
        }
      }));
    }
    Cursor at = log.beginning();
    int seen = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (seen < writers * perWriter && System.nanoTime() < deadline) {
      List<StoredEvent> page = log.readAll(at, 7);
      if (!page.isEmpty()) {
        seen += page.size();
        at = page.getLast().cursor();
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(seen).isEqualTo(writers * perWriter);
  }

  /** Seeded: {@code -Dagentwatch.seed=<seed>} replays the same runs. */
  @Test
  void timeTravelOverSqliteIsTheFoldOfTheRunsEventsUpToTheInstant() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    SqliteDatabase db = open(dir);
    SqliteEventLog log = opened(SqliteEventLog.open(db));
    AgentRuns runs = new AgentRuns(random, T0, 20, 3000);
    List<AgentRuns.Planned> plan = runs.plan(
        new int[] {0, 2, 3, 600 + random.nextInt(300), 0},
        new int[] {0, 2, 2, 100, 1},
        new int[] {1, 2, 2, 100, 0});
    List<AgentRuns.Batch> batches = runs.batches(plan, 50);
    TimeTravel travel = new TimeTravel(new SqliteEventStore(db), new SqliteProjectionStore(db), 20);
    Instant first = T0.minusSeconds(5);
    Instant last = runs.end(plan.size()).plusSeconds(5);

    int half = batches.size() / 2;
    for (int phase = 0; phase < 2; phase++) {
      for (AgentRuns.Batch b : batches.subList(phase == 0 ? 0 : half, phase == 0 ? half : batches.size())) {
        await(log.append(b.tenant(), b.events()));
      }
      List<StoredEvent> all = Folds.readAll(log);
      for (int q = 0; q < 10; q++) {
        Instant at = q == 0 ? last
            : first.plusMillis((long) (random.nextDouble() * (last.toEpochMilli() - first.toEpochMilli())));
        String tenant = q % 5 == 4 ? "t1" : "t0";
        assertThat(travel.stateAt(tenant, "r0", at).toJson())
            .as("seed=%d phase=%d query=%d %s/r0 at=%s", seed, phase, q, tenant, at)
            .isEqualTo(Folds.runAt(all, tenant, "r0", at).toJson());
      }
    }
    assertThat(new SqliteProjectionStore(db).snapshots("t0", "r0")).as("seed=%d", seed).isNotEmpty();
  }

  /** Seeded: {@code -Dagentwatch.seed=<seed>} replays the same runs. */
  @Test
  void projectionsKeptInSqliteEqualAFoldFromScratchAfterTheDatabaseIsReopened() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    AgentRuns runs = new AgentRuns(random, T0, 40, 3000);
    List<AgentRuns.Batch> batches = runs.batches(runs.plan(
        new int[] {0, 3, 8, 150}, new int[] {1, 2, 5, 100}, new int[] {0, 2, 4, 80}), 40);
    int half = batches.size() / 2;
    Duration wait = Duration.ofSeconds(30);

    for (int p = 0; p < 2; p++) {
      int phase = p;
      try (SqliteDatabase db = SqliteDatabase.open(dir);
           SqliteEventLog log = SqliteEventLog.open(db);
           ProjectionUpdater updater = new ProjectionUpdater(log, new SqliteProjectionStore(db), Clock.systemUTC())) {
        updater.start();
        for (AgentRuns.Batch b : batches.subList(phase == 0 ? 0 : half, phase == 0 ? half : batches.size())) {
          await(log.append(b.tenant(), b.events()));
        }
        assertThat(updater.awaitApplied(log.head(), wait)).as("seed=%d phase=%d", seed, phase).isTrue();
        Map<String, Projection> expected = Folds.byTenant(Folds.readAll(log));
        expected.forEach((tenant, fold) -> assertThat(updater.read(tenant, Projection::toJson))
            .as("seed=%d phase=%d tenant=%s", seed, phase, tenant)
            .isEqualTo(fold.toJson()));
      }
    }
  }
}
