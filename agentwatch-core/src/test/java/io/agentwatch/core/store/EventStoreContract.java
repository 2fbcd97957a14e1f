package io.agentwatch.core.store;

import static io.agentwatch.core.TestEvents.T0;
import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link EventStore} contract. An adapter binds it with a log that feeds the store (events
 * appended to {@link #log} must be queryable from {@link #store} once the append completed).
 */
public abstract class EventStoreContract {

  protected EventLog log;
  protected EventStore store;

  /** A fresh log and the store that holds its history. */
  protected abstract LogAndStore newLogAndStore() throws Exception;

  public record LogAndStore(EventLog log, EventStore store) {}

  @BeforeEach
  void open() throws Exception {
    LogAndStore both = newLogAndStore();
    log = both.log();
    store = both.store();
  }

  @AfterEach
  void closeLog() {
    log.close();
  }

  private void append(String tenant, Event... events) {
    log.append(tenant, List.of(events)).join();
  }

  private static List<String> ids(EventPage page) {
    return page.events().stream().map(e -> e.event().id()).toList();
  }

  private static EventQuery all(int limit) {
    return new EventQuery(EventFilter.ALL, null, null, null, limit);
  }

  @Test
  void followingNextYieldsEveryEventOnceInLogOrder() {
    for (int i = 0; i < 23; i++) {
      append("t1", event("e" + i, "log.line", "w" + (i % 3), "r1"));
    }
    List<String> seen = new ArrayList<>();
    EventPage page = store.query("t1", all(5));
    seen.addAll(ids(page));
    while (page.next() != null) {
      page = store.query("t1", new EventQuery(EventFilter.ALL, null, null, page.next(), 5));
      seen.addAll(ids(page));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      expected.add("e" + i);
    }
    assertThat(seen).containsExactlyElementsOf(expected);
  }

  @Test
  void nextIsNullWhenNothingMoreMatches() {
    append("t1", event("a", "log.line", "w1", "r1"), event("b", "log.line", "w1", "r1"));

    assertThat(store.query("t1", all(2)).next()).isNull();
    assertThat(store.query("t1", all(1)).next()).isNotNull();
  }

  @Test
  void anotherTenantsEventsAreNeverReturned() {
    append("t1", event("a", "log.line", "w1", "r1"));
    append("t2", event("b", "log.line", "w1", "r1"));

    assertThat(ids(store.query("t1", all(100)))).containsExactly("a");
    assertThat(ids(store.query("t3", all(100)))).isEmpty();
  }

  @Test
  void filtersByRunAgentTypeAndTime() {
    append("t1",
        event("1", "task.created", "m", "r1", T0),
        event("2", "task.started", "w1", "r1", T0.plusSeconds(10)),
        event("3", "task.started", "w1", "r2", T0.plusSeconds(20)),
        event("4", "agent.heartbeat", "w1", "r1", T0.plusSeconds(30)));

    assertThat(ids(store.query("t1", new EventQuery(new EventFilter("r1", "w1", List.of()), null, null, null, 100))))
        .containsExactly("2", "4");
    assertThat(ids(store.query("t1", new EventQuery(new EventFilter(null, null, List.of("task.*")), null, null, null,
        100)))).containsExactly("1", "2", "3");
    assertThat(ids(store.query("t1", new EventQuery(EventFilter.ALL, T0.plusSeconds(10), T0.plusSeconds(30), null,
        100)))).containsExactly("2", "3");
  }

  @Test
  void resumesAfterACursorTakenFromAnEvent() {
    append("t1", event("a", "log.line", "w1", "r1"), event("b", "log.line", "w1", "r1"),
        event("c", "log.line", "w1", "r1"));
    StoredEvent first = store.query("t1", all(1)).events().getFirst();

    assertThat(ids(store.query("t1", new EventQuery(EventFilter.ALL, null, null, first.cursor(), 10))))
        .containsExactly("b", "c");
  }

  @Test
  void aCursorPastTheHeadIsStale() {
    append("t1", event("a", "log.line", "w1", "r1"));
    Cursor last = store.query("t1", all(10)).events().getLast().cursor();

    assertThatThrownBy(() -> store.query("t1", new EventQuery(EventFilter.ALL, null, null,
        last.advance(0, last.position(0) + 3), 10))).isInstanceOf(StaleCursorException.class);
  }

  @Test
  void aCursorOfAnotherStoreIsStale() {
    assertThatThrownBy(() -> store.query("t1", new EventQuery(EventFilter.ALL, null, null,
        Cursor.at("elsewhere", 3), 10)))
        .isInstanceOf(StaleCursorException.class);
  }
}
