package io.agentwatch.storage.sqlite;

import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventLogContract;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventStoreContract;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventLogTest {

  @TempDir
  Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  private SqliteDatabase newDatabase() {
    return newDatabase(SqliteDatabase.DEFAULT_BUSY_TIMEOUT);
  }

  private SqliteDatabase newDatabase(Duration busyTimeout) {
    SqliteDatabase db = SqliteDatabase.open(dir.resolve("data-" + opened.size()), busyTimeout);
    opened.add(db);
    return db;
  }

  private SqliteEventLog newLog(SqliteDatabase db) {
    SqliteEventLog log = SqliteEventLog.open(db);
    opened.add(log);
    return log;
  }

  @Nested
  class AsEventLog extends EventLogContract {
    @Override
    protected EventLog newLog() {
      return SqliteEventLog.open(newDatabase());
    }
  }

  @Nested
  class AsEventStore extends EventStoreContract {
    @Override
    protected LogAndStore newLogAndStore() {
      SqliteDatabase db = newDatabase();
      return new LogAndStore(SqliteEventLog.open(db), new SqliteEventStore(db));
    }
  }

  private static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  private static <T> T await(CompletableFuture<T> future) {
    return future.orTimeout(30, TimeUnit.SECONDS).join();
  }

  private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 30 s in vain").isLessThan(deadline);
      Thread.sleep(2);
    }
  }

  /** Holds the database's write transaction until released, so appends queue up behind it. */
  private static CountDownLatch holdWriter(SqliteDatabase db) throws InterruptedException {
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread.ofPlatform().daemon(true).start(() -> {
      try {
        db.write(c -> {
          held.countDown();
          awaitQuietly(release);
          return null;
        });
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    held.await();
    return release;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aGroupCommitOfConcurrentCallersKeepsEachCallersOrderAndDedupesAcrossCallers() throws Exception {
    SqliteDatabase db = newDatabase();
    SqliteEventLog log = newLog(db);
    List<List<String>> groups = new CopyOnWriteArrayList<>();
    log.tail(batch -> groups.add(ids(batch)));

    CountDownLatch release = holdWriter(db);
    CompletableFuture<List<AppendResult>> first = log.append("t1", List.of(log("first", "w0")));
    awaitTrue(db::hasQueuedWriters);
    int callers = 4;
    List<List<CompletableFuture<List<AppendResult>>>> futures = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      String agent = "caller-" + c;
      List<CompletableFuture<List<AppendResult>>> mine = new CopyOnWriteArrayList<>();
      futures.add(mine);
      threads.add(Thread.ofPlatform().start(() -> {
        for (int r = 0; r < 5; r++) {
          List<Event> batch = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            batch.add(log(agent + "-" + (r * 10 + i), agent));
          }
          batch.add(log("shared-" + r, agent));
          mine.add(log.append("t1", batch));
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    release.countDown();
    await(first);

    for (int c = 0; c < callers; c++) {
      List<String> accepted = new ArrayList<>();
      for (CompletableFuture<List<AppendResult>> f : futures.get(c)) {
        await(f).stream().filter(r -> !r.isDuplicate()).map(AppendResult::id)
            .filter(id -> !id.startsWith("shared-")).forEach(accepted::add);
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        expected.add("caller-" + c + "-" + i);
      }
      assertThat(accepted).containsExactlyElementsOf(expected);
      String agent = "caller-" + c;
      assertThat(ids(log.read("t1", log.beginning(), new EventFilter(null, agent, List.of()), 1000)))
          .filteredOn(id -> !id.startsWith("shared-"))
          .containsExactlyElementsOf(expected);
    }
    for (int r = 0; r < 5; r++) {
      String shared = "shared-" + r;
      long acceptedOnce = futures.stream().flatMap(List::stream).flatMap(f -> f.join().stream())
          .filter(res -> res.id().equals(shared) && !res.isDuplicate()).count();
      assertThat(acceptedOnce).as(shared).isEqualTo(1);
    }
    awaitTrue(() -> groups.size() == 2);
    assertThat(groups.get(0)).containsExactly("first");
    assertThat(groups.get(1)).as("everything queued behind the first group commits together")
        .hasSize(callers * 50 + 5);
    assertThat(log.read("t1", log.beginning(), EventFilter.ALL, 1000)).hasSize(1 + callers * 50 + 5);
  }

  @Test
  void aFailedCommitFailsItsGroupAsUnavailableAndLaterGroupsAreStored() throws Exception {
    SqliteDatabase db = newDatabase(Duration.ofMillis(100));
    SqliteEventLog log = newLog(db);
    List<String> heard = new CopyOnWriteArrayList<>();
    log.tail(batch -> heard.addAll(ids(batch)));
    await(log.append("t1", List.of(log("before", "w1"))));

    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db.file());
         Statement s = other.createStatement()) {
      s.executeUpdate("BEGIN IMMEDIATE");
      assertThatThrownBy(() -> await(log.append("t1", List.of(log("a", "w1"), log("b", "w1")))))
          .hasCauseInstanceOf(UnavailableException.class);
      s.executeUpdate("ROLLBACK");
    }

    List<AppendResult> retried = await(log.append("t1", List.of(log("a", "w1"), log("b", "w1"))));
    assertThat(retried).noneMatch(AppendResult::isDuplicate);
    assertThat(ids(log.read("t1", log.beginning(), EventFilter.ALL, 10))).containsExactly("before", "a", "b");
    assertThat(log.head().position(0)).isEqualTo(retried.getLast().stored().offset());
    awaitTrue(() -> heard.size() == 3);
    assertThat(heard).containsExactly("before", "a", "b");
  }

  @Test
  void closeStoresTheAppendsAlreadyQueuedThenRefusesNewOnes() throws Exception {
    SqliteDatabase db = newDatabase();
    SqliteEventLog log = newLog(db);
    CountDownLatch release = holdWriter(db);
    List<CompletableFuture<List<AppendResult>>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(log.append("t1", List.of(log("e" + i, "w1"))));
    }
    Thread closer = Thread.ofPlatform().start(log::close);
    awaitTrue(() -> closer.getState() == Thread.State.WAITING);
    assertThatThrownBy(() -> await(log.append("t1", List.of(log("late", "w1")))))
        .hasCauseInstanceOf(UnavailableException.class);
    release.countDown();
    closer.join(Duration.ofSeconds(30));

    assertThat(closer.isAlive()).isFalse();
    assertThat(queued).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(ids(log.read("t1", log.beginning(), EventFilter.ALL, 100))).hasSize(20).doesNotContain("late");
    assertThatThrownBy(log::check).isInstanceOf(UnavailableException.class);
  }

  @Test
  void aSlowListenerDelaysNoAcknowledgement() throws Exception {
    SqliteDatabase db = newDatabase();
    SqliteEventLog log = newLog(db);
    CountDownLatch unblock = new CountDownLatch(1);
    List<String> heard = new CopyOnWriteArrayList<>();
    log.tail(batch -> {
      awaitQuietly(unblock);
      heard.addAll(ids(batch));
    });
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      await(log.append("t1", List.of(log("e" + i, "w1"))));
      expected.add("e" + i);
    }
    assertThat(heard).isEmpty();
    unblock.countDown();
    awaitTrue(() -> heard.size() == 20);
    assertThat(heard).containsExactlyElementsOf(expected);
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() throws Exception {
    SqliteEventLog log = newLog(newDatabase());
    List<String> heard = new CopyOnWriteArrayList<>();
    log.tail(batch -> {
      throw new IllegalStateException("listener bug");
    });
    log.tail(batch -> heard.addAll(ids(batch)));
    await(log.append("t1", List.of(log("a", "w1"))));
    await(log.append("t1", List.of(log("b", "w1"))));
    awaitTrue(() -> heard.size() == 2);
    assertThat(heard).containsExactly("a", "b");
  }

  @Test
  void aTypePrefixMatchesOnlyTypesStartingWithItsDottedPrefix() {
    SqliteEventLog log = newLog(newDatabase());
    await(log.append("t1", List.of(
        event("1", "task.started", "w1", "r1"),
        event("2", "taskx.done", "w1", "r1"),
        event("3", "task_a.b", "w1", "r1"),
        event("4", "tasks.c", "w1", "r1"),
        event("5", "task.sub.deep", "w1", "r1"),
        event("6", "agent.status", "w1", "r1"))));

    assertThat(ids(log.read("t1", log.beginning(), new EventFilter(null, null, List.of("task.*")), 10)))
        .containsExactly("1", "5");
    assertThat(ids(log.read("t1", log.beginning(), new EventFilter(null, null, List.of("task_a.*", "agent.status")),
        10))).containsExactly("3", "6");
    assertThat(ids(log.read("t1", log.beginning(), new EventFilter(null, null, List.of("tasks.c", "*")), 10)))
        .containsExactly("1", "2", "3", "4", "5", "6");
    assertThat(log.read("t1", log.beginning(), new EventFilter(null, null, List.of("task.x.*")), 10)).isEmpty();
  }

  @Test
  void anEventLooksTheSameLiveAndReadBack() throws Exception {
    SqliteEventLog log = newLog(newDatabase());
    List<StoredEvent> live = new CopyOnWriteArrayList<>();
    log.tail(live::addAll);
    Event sent = event("a", "task.progress", "w1", "r1");
    sent.data().put("percent", 40);
    List<AppendResult> results = await(log.append("t1", List.of(sent)));
    awaitTrue(() -> live.size() == 1);

    StoredEvent read = log.read("t1", log.beginning(), EventFilter.ALL, 1).getFirst();
    assertThat(read.json()).isEqualTo(live.getFirst().json()).isEqualTo(results.getFirst().stored().json());
    assertThat(read.receivedAt()).isEqualTo(live.getFirst().receivedAt());
    assertThat(read.event()).isEqualTo(sent);
  }

  @Test
  void anEmptyAppendCompletesWithNoResults() {
    SqliteEventLog log = newLog(newDatabase());

    assertThat(await(log.append("t1", List.of()))).isEmpty();
    assertThat(log.head().position(0)).isEqualTo(-1);
  }
}
