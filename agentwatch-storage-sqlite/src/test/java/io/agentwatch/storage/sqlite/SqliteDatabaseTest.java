package io.agentwatch.storage.sqlite;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteDatabaseTest {

  @TempDir
  Path dir;

  private static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  private static List<AppendResult> await(CompletableFuture<List<AppendResult>> future) {
    return future.orTimeout(30, TimeUnit.SECONDS).join();
  }

  @Test
  void ackedEventsSurviveAReopenExactlyOnceWithTheSameStoreIdAndTheHeadContinues() {
    String storeId;
    Cursor headBefore;
    List<String> acked = new ArrayList<>();
    try (SqliteDatabase db = SqliteDatabase.open(dir); SqliteEventLog log = SqliteEventLog.open(db)) {
      storeId = db.storeId();
      List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
      for (int b = 0; b < 30; b++) {
        List<Event> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(log("e" + (b * 10 + i), "w" + (i % 3)));
        }
        pending.add(log.append("t1", batch));
      }
      for (CompletableFuture<List<AppendResult>> f : pending) {
        await(f).stream().filter(r -> !r.isDuplicate()).forEach(r -> acked.add(r.id()));
      }
      headBefore = log.head();
    }
    assertThat(acked).as("310 distinct ids, batches overlap by 10").hasSize(310);

    try (SqliteDatabase db = SqliteDatabase.open(dir); SqliteEventLog log = SqliteEventLog.open(db)) {
      assertThat(db.storeId()).isEqualTo(storeId);
      assertThat(log.head()).isEqualTo(headBefore);
      List<StoredEvent> stored = log.read("t1", log.beginning(), EventFilter.ALL, 10_000);
      assertThat(ids(stored)).containsExactlyElementsOf(acked);

      List<AppendResult> again = await(log.append("t1", List.of(log("e5", "w0"), log("new", "w0"))));
      assertThat(again.get(0).isDuplicate()).as("an id stored before the restart").isTrue();
      assertThat(again.get(1).stored().offset()).isGreaterThan(headBefore.position(0));
      assertThat(log.read("t1", headBefore, EventFilter.ALL, 10)).extracting(e -> e.event().id())
          .containsExactly("new");
    }
  }

  @Test
  void aWipedFolderGetsANewStoreIdSoOldCursorsAreStale() throws Exception {
    Cursor old;
    String oldStoreId;
    try (SqliteDatabase db = SqliteDatabase.open(dir); SqliteEventLog log = SqliteEventLog.open(db)) {
      old = await(log.append("t1", List.of(log("a", "w1")))).getFirst().stored().cursor();
      oldStoreId = db.storeId();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }

    try (SqliteDatabase db = SqliteDatabase.open(dir); SqliteEventLog log = SqliteEventLog.open(db)) {
      assertThat(db.storeId()).isNotEqualTo(oldStoreId).matches("[A-Za-z0-9]{16}");
      assertThat(log.head().position(0)).isEqualTo(-1);
      assertThatThrownBy(() -> log.read("t1", old, EventFilter.ALL, 10))
          .isInstanceOf(StaleCursorException.class)
          .satisfies(e -> assertThat(((StaleCursorException) e).head()).isEqualTo(log.head()));
      assertThatThrownBy(() -> new SqliteEventStore(db).query("t1",
          new EventQuery(EventFilter.ALL, null, null, old, 10)))
          .isInstanceOf(StaleCursorException.class);
    }
  }

  @Test
  void theWriterUsesWalAndFsyncsEveryCommit() throws Exception {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      assertThat(db.<String>write(c -> pragma(c, "journal_mode"))).isEqualTo("wal");
      assertThat(db.<String>write(c -> pragma(c, "synchronous"))).as("2 = FULL").isEqualTo("2");
      assertThat(db.<String>write(c -> pragma(c, "foreign_keys"))).isEqualTo("1");
      assertThat(db.<String>read(c -> pragma(c, "busy_timeout"))).isEqualTo("5000");
      assertThat(db.file()).isEqualTo(dir.toAbsolutePath().resolve("agentwatch.db"));
    }
  }

  private static String pragma(Connection c, String name) throws java.sql.SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  @Test
  void readConnectionsCannotWrite() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      assertThatThrownBy(() -> db.read(c -> {
        try (Statement s = c.createStatement()) {
          return s.executeUpdate("DELETE FROM events");
        }
      })).hasMessageContaining("readonly");
    }
  }

  @Test
  void aDatabaseWrittenByANewerVersionIsRefused() throws Exception {
    SqliteDatabase.open(dir).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME));
         Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE meta SET value = '" + (Schema.VERSION + 1) + "' WHERE name = 'schema_version'");
    }

    assertThatThrownBy(() -> SqliteDatabase.open(dir))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("newer Agentwatch");
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedDatabaseIsUnavailable() {
    SqliteDatabase db = SqliteDatabase.open(dir);
    db.check();
    db.close();
    db.close();

    assertThatThrownBy(db::check).isInstanceOf(UnavailableException.class);
    assertThatThrownBy(() -> db.write(c -> null)).isInstanceOf(UnavailableException.class);
  }

  @Test
  void aSecondLogOnTheSameDatabaseIsRefusedUntilTheFirstCloses() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteEventLog first = SqliteEventLog.open(db);
      assertThatThrownBy(() -> SqliteEventLog.open(db)).isInstanceOf(IllegalStateException.class);
      first.close();
      first.close();

      try (SqliteEventLog second = SqliteEventLog.open(db)) {
        assertThat(await(second.append("t1", List.of(log("a", "w1"))))).noneMatch(AppendResult::isDuplicate);
      }
    }
  }

  @Test
  void aLogOverAClosedDatabaseFailsAppendsAsUnavailable() {
    SqliteDatabase db = SqliteDatabase.open(dir);
    try (SqliteEventLog log = SqliteEventLog.open(db)) {
      db.close();

      assertThatThrownBy(() -> await(log.append("t1", List.of(log("a", "w1")))))
          .hasCauseInstanceOf(UnavailableException.class);
      assertThatThrownBy(log::check).isInstanceOf(UnavailableException.class);
    }
  }
}
