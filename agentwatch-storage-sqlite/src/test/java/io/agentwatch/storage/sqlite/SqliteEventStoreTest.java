package io.agentwatch.storage.sqlite;

import static io.agentwatch.core.TestEvents.T0;
import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.model.StoredEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventStoreTest {

  @TempDir
  Path dir;

  private SqliteDatabase db;
  private SqliteEventLog log;
  private SqliteEventStore store;

  @BeforeEach
  void open() {
    db = SqliteDatabase.open(dir);
    log = SqliteEventLog.open(db);
    store = new SqliteEventStore(db);
  }

  @AfterEach
  void close() {
    log.close();
    db.close();
  }

  private static List<String> ids(EventPage page) {
    return page.events().stream().map(e -> e.event().id()).toList();
  }

  private List<String> between(Instant from, Instant to) {
    return ids(store.query("t1", new EventQuery(EventFilter.ALL, from, to, null, 100)));
  }

  @Test
  void timeBoundsAreExactToTheNanosecondAndFromIsInclusive() {
    Instant t = T0.plusNanos(500);
    log.append("t1", List.of(
        event("before", "log.line", "w1", "r1", t.minusNanos(1)),
        event("at", "log.line", "w1", "r1", t),
        event("after", "log.line", "w1", "r1", t.plusNanos(1)),
        event("ancient", "log.line", "w1", "r1", Instant.parse("1969-12-31T23:59:59.999999999Z")),
        event("far", "log.line", "w1", "r1", Instant.parse("+300000-01-01T00:00:00Z")))).join();

    assertThat(between(t, null)).containsExactly("at", "after", "far");
    assertThat(between(null, t)).containsExactly("before", "ancient");
    assertThat(between(t, t.plusNanos(1))).containsExactly("at");
    assertThat(between(Instant.EPOCH.minusNanos(1), Instant.EPOCH)).containsExactly("ancient");
    assertThat(between(Instant.parse("+299999-01-01T00:00:00Z"), null)).containsExactly("far");
  }

  @Test
  void nextIsTheCursorOfTheLastEventOfAFullPage() {
    for (int i = 0; i < 5; i++) {
      log.append("t1", List.of(event("e" + i, "log.line", "w1", "r1"))).join();
    }
    log.append("t2", List.of(event("other", "log.line", "w1", "r1"))).join();

    EventPage page = store.query("t1", new EventQuery(EventFilter.ALL, null, null, null, 5));
    assertThat(ids(page)).containsExactly("e0", "e1", "e2", "e3", "e4");
    assertThat(page.next()).as("the other tenant's later event does not count").isNull();

    EventPage first = store.query("t1", new EventQuery(EventFilter.ALL, null, null, null, 3));
    assertThat(first.next()).isEqualTo(first.events().getLast().cursor());
  }

  @Test
  void runAgentAndTypeFiltersCombine() {
    log.append("t1", List.of(
        event("1", "task.started", "w1", "r1"),
        event("2", "task.started", "w2", "r1"),
        event("3", "task.started", "w1", "r2"),
        event("4", "agent.status.changed", "w1", "r1"),
        event("5", "task.completed", "w1", "r1"))).join();

    EventFilter filter = new EventFilter("r1", "w1", List.of("task.started", "agent.*"));
    assertThat(ids(store.query("t1", new EventQuery(filter, null, null, null, 10)))).containsExactly("1", "4");
  }

  @Test
  void readEventsCarryTheirEnvelopeTenantAndPosition() {
    StoredEvent appended = log.append("t1", List.of(event("a", "task.started", "w1", "r1"))).join()
        .getFirst().stored();

    StoredEvent read = store.query("t1", new EventQuery(EventFilter.ALL, null, null, null, 1)).events().getFirst();
    assertThat(read.json()).isEqualTo(appended.json());
    assertThat(read.offset()).isEqualTo(appended.offset());
    assertThat(read.partition()).isZero();
    assertThat(read.tenant()).isEqualTo("t1");
  }
}
