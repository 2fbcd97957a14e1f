package io.agentwatch.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.state.ProjectionStore.Kind;
import io.agentwatch.core.state.ProjectionStore.Row;
import io.agentwatch.core.state.ProjectionStore.RunSnapshot;
import io.agentwatch.core.state.ProjectionStore.Saved;
import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ProjectionStore} contract. Each adapter binds it by implementing {@link #newStore()};
 * every test gets a fresh, empty store.
 */
public abstract class ProjectionStoreContract {

  protected static final String STORE = "contract1";
  protected static final Instant T = Instant.parse("2026-11-28T16:00:00.123456789Z");

  protected ProjectionStore store;

  /** A new, empty store. */
  protected abstract ProjectionStore newStore() throws Exception;

  /** Releases what {@link #newStore()} opened; nothing by default. */
  protected void closeStore() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() throws Exception {
    closeStore();
  }

  protected static Cursor at(long offset) {
    return Cursor.at(STORE, offset);
  }

  protected static Row row(String tenant, Kind kind, String key, String json) {
    return new Row(tenant, kind, key, json);
  }

  protected static RunSnapshot snapshot(long events, String json) {
    return new RunSnapshot(at(events * 2), events, T.plusSeconds(events), T.minusNanos(events), json);
  }

  private static List<Row> sorted(List<Row> rows) {
    List<Row> copy = new ArrayList<>(rows);
    copy.sort((a, b) -> (a.tenant() + a.kind() + a.key()).compareTo(b.tenant() + b.kind() + b.key()));
    return copy;
  }

  @Test
  void aStoreThatWasNeverSavedLoadsNothing() {
    assertThat(store.load()).isEmpty();
    assertThat(store.snapshots("t1", "r1")).isEmpty();
  }

  @Test
  void savedRowsComeBackWithTheirCursor() {
    List<Row> rows = List.of(
        row("t1", Kind.AGENT, "w1", "{\"agentId\":\"w1\"}"),
        row("t1", Kind.RUN, "r1", "{\"runId\":\"r1\"}"),
        row("t1", Kind.TASK, "r1\u001fk1", "{\"taskId\":\"k1\",\"title\":\"é ✓ \\\"quoted\\\"\"}"),
        row("t1", Kind.TENANT, "", "{\"events\":3}"));
    store.save(at(7), rows);

    Saved saved = store.load().orElseThrow();
    assertThat(saved.cursor()).isEqualTo(at(7));
    assertThat(sorted(saved.rows())).containsExactlyElementsOf(sorted(rows));
  }

  @Test
  void savingARowAgainReplacesIt() {
    store.save(at(1), List.of(row("t1", Kind.AGENT, "w1", "{\"v\":1}"), row("t1", Kind.AGENT, "w2", "{\"v\":1}")));
    store.save(at(2), List.of(row("t1", Kind.AGENT, "w1", "{\"v\":2}")));

    Saved saved = store.load().orElseThrow();
    assertThat(saved.cursor()).isEqualTo(at(2));
    assertThat(sorted(saved.rows())).containsExactly(
        row("t1", Kind.AGENT, "w1", "{\"v\":2}"), row("t1", Kind.AGENT, "w2", "{\"v\":1}"));
  }

  @Test
  void aSaveWithoutRowsStillMovesTheCursor() {
    store.save(at(1), List.of(row("t1", Kind.RUN, "r1", "{}")));
    store.save(at(9), List.of());

    Saved saved = store.load().orElseThrow();
    assertThat(saved.cursor()).isEqualTo(at(9));
    assertThat(saved.rows()).containsExactly(row("t1", Kind.RUN, "r1", "{}"));
  }

  @Test
  void rowsOfDifferentKindsOrTenantsWithTheSameKeyAreDistinct() {
    store.save(at(1), List.of(
        row("t1", Kind.AGENT, "x", "{\"a\":1}"),
        row("t1", Kind.RUN, "x", "{\"r\":1}"),
        row("t2", Kind.AGENT, "x", "{\"a\":2}")));
    store.save(at(2), List.of(row("t2", Kind.AGENT, "x", "{\"a\":3}")));

    assertThat(sorted(store.load().orElseThrow().rows())).containsExactly(
        row("t1", Kind.AGENT, "x", "{\"a\":1}"),
        row("t1", Kind.RUN, "x", "{\"r\":1}"),
        row("t2", Kind.AGENT, "x", "{\"a\":3}"));
  }

  /** Atomic: a reader sees the rows and the cursor of one save, never a mix of two. */
  @Test
  void loadNeverSeesTheRowsOfOneSaveWithTheCursorOfAnother() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
      int n = 0;
      while (!stop.get() && n < 500) {
        n++;
        List<Row> rows = new ArrayList<>();
        for (int k = 0; k < 20; k++) {
          rows.add(row("t1", Kind.TASK, "k" + k, "{\"save\":" + n + "}"));
        }
        store.save(at(n), rows);
      }
      return n;
    });
    try {
      int loads = 0;
      while (!writer.isDone() || loads < 5) {
        var saved = store.load();
        if (saved.isEmpty()) {
          continue;
        }
        loads++;
        long n = saved.get().cursor().position(0);
        assertThat(saved.get().rows()).hasSize(20)
            .allSatisfy(r -> assertThat(r.json()).as("row %s at cursor %d", r.key(), n).isEqualTo("{\"save\":" + n + "}"));
      }
    } finally {
      stop.set(true);
      writer.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void clearForgetsRowsCursorAndSnapshots() {
    store.save(at(3), List.of(row("t1", Kind.AGENT, "w1", "{}")));
    store.saveSnapshot("t1", "r1", snapshot(20, "{\"s\":20}"));

    store.clear();

    assertThat(store.load()).isEmpty();
    assertThat(store.snapshots("t1", "r1")).isEmpty();
    store.save(at(1), List.of(row("t1", Kind.AGENT, "w2", "{}")));
    assertThat(store.load().orElseThrow().rows()).containsExactly(row("t1", Kind.AGENT, "w2", "{}"));
  }

  @Test
  void aSnapshotComesBackExactly() {
    RunSnapshot s = new RunSnapshot(at(41), 20, Instant.parse("2026-11-28T16:00:01.000000001Z"),
        Instant.parse("1999-12-31T23:59:59.999999999Z"), "{\"events\":20}");
    store.saveSnapshot("t1", "r1", s);

    assertThat(store.snapshots("t1", "r1")).containsExactly(s);
  }

  @Test
  void snapshotsAreWriteOnce() {
    store.saveSnapshot("t1", "r1", snapshot(20, "{\"first\":true}"));
    store.saveSnapshot("t1", "r1", snapshot(20, "{\"first\":false}"));

    assertThat(store.snapshots("t1", "r1")).extracting(RunSnapshot::json).containsExactly("{\"first\":true}");
  }

  @Test
  void snapshotsComeBackOrderedByEvents() {
    store.saveSnapshot("t1", "r1", snapshot(40, "{}"));
    store.saveSnapshot("t1", "r1", snapshot(20, "{}"));
    store.saveSnapshot("t1", "r1", snapshot(100, "{}"));
    store.saveSnapshot("t1", "r1", snapshot(60, "{}"));

    assertThat(store.snapshots("t1", "r1")).extracting(RunSnapshot::events).containsExactly(20L, 40L, 60L, 100L);
  }

  @Test
  void snapshotsBelongToOneTenantAndRun() {
    store.saveSnapshot("t1", "r1", snapshot(20, "{\"t1r1\":1}"));
    store.saveSnapshot("t1", "r2", snapshot(20, "{\"t1r2\":1}"));
    store.saveSnapshot("t2", "r1", snapshot(20, "{\"t2r1\":1}"));

    assertThat(store.snapshots("t1", "r1")).extracting(RunSnapshot::json).containsExactly("{\"t1r1\":1}");
    assertThat(store.snapshots("t1", "r2")).extracting(RunSnapshot::json).containsExactly("{\"t1r2\":1}");
    assertThat(store.snapshots("t2", "r1")).extracting(RunSnapshot::json).containsExactly("{\"t2r1\":1}");
    assertThat(store.snapshots("t2", "r2")).isEmpty();
  }

  @Test
  void savingRowsLeavesSnapshotsAlone() {
    store.saveSnapshot("t1", "r1", snapshot(20, "{}"));
    store.save(at(5), List.of(row("t1", Kind.RUN, "r1", "{}")));

    assertThat(store.snapshots("t1", "r1")).hasSize(1);
  }

  @Test
  void aHealthyStorePassesItsCheck() {
    store.check();
  }
}
