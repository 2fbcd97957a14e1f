package io.agentwatch.core.log;

import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link EventLog} contract. Each adapter binds it by implementing {@link #newLog()}; every
 * test gets a fresh, empty log.
 */
public abstract class EventLogContract {

  protected EventLog log;

  /** A new, empty log. */
  protected abstract EventLog newLog() throws Exception;

  @BeforeEach
  void open() throws Exception {
    log = newLog();
  }

  @AfterEach
  void closeLog() {
    log.close();
  }

  protected List<AppendResult> append(String tenant, Event... events) {
    return log.append(tenant, List.of(events)).orTimeout(30, TimeUnit.SECONDS).join();
  }

  private List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  @Test
  void appendReportsOneResultPerEventInOrder() {
    List<AppendResult> results = append("t1", log("a", "w1"), log("b", "w1"), log("c", "w2"));

    assertThat(results).extracting(AppendResult::id).containsExactly("a", "b", "c");
    assertThat(results).noneMatch(AppendResult::isDuplicate);
    assertThat(results.get(0).stored().cursor().storeId()).isEqualTo(log.storeId());
  }

  @Test
  void theSameIdTwiceIsStoredOnceAndReportedAsDuplicate() {
    append("t1", log("a", "w1"));
    List<AppendResult> again = append("t1", log("a", "w1"), log("b", "w1"), log("b", "w1"));

    assertThat(again).extracting(AppendResult::isDuplicate).containsExactly(true, false, true);
    assertThat(ids(log.read("t1", log.beginning(), EventFilter.ALL, 100))).containsExactly("a", "b");
  }

  @Test
  void theSameIdInTwoTenantsIsTwoEvents() {
    append("t1", log("a", "w1"));
    List<AppendResult> other = append("t2", log("a", "w1"));

    assertThat(other.getFirst().isDuplicate()).isFalse();
    assertThat(log.read("t1", log.beginning(), EventFilter.ALL, 100)).hasSize(1);
    assertThat(log.read("t2", log.beginning(), EventFilter.ALL, 100)).hasSize(1);
  }

  @Test
  void readReturnsOnlyTheTenantsEventsInLogOrder() {
    append("t1", log("a", "w1"), log("b", "w2"));
    append("t2", log("x", "w1"));
    append("t1", log("c", "w1"));

    assertThat(ids(log.read("t1", log.beginning(), EventFilter.ALL, 100))).containsExactly("a", "b", "c");
    assertThat(ids(log.read("t2", log.beginning(), EventFilter.ALL, 100))).containsExactly("x");
  }

  @Test
  void readAllFollowsEveryTenantInLogOrder() {
    append("t1", log("a", "w1"));
    append("t2", log("b", "w1"));
    List<AppendResult> third = append("t1", log("c", "w1"));
    append("t3", log("d", "w1"));

    List<StoredEvent> all = log.readAll(log.beginning(), 100);
    assertThat(ids(all)).containsExactly("a", "b", "c", "d");
    assertThat(all).extracting(StoredEvent::tenant).containsExactly("t1", "t2", "t1", "t3");
    assertThat(ids(log.readAll(all.get(1).cursor(), 1))).containsExactly("c");
    assertThat(ids(log.readAll(third.getFirst().stored().cursor(), 100))).containsExactly("d");
    assertThatThrownBy(() -> log.readAll(Cursor.at("otherstore", 0), 10)).isInstanceOf(StaleCursorException.class);
  }

  @Test
  void resumingFromACursorDeliversEveryLaterEventOnce() {
    List<AppendResult> first = append("t1", log("a", "w1"), log("b", "w1"), log("c", "w1"));
    append("t1", log("d", "w1"));

    Cursor afterB = first.get(1).stored().cursor();
    assertThat(ids(log.read("t1", afterB, EventFilter.ALL, 100))).containsExactly("c", "d");
  }

  @Test
  void readPagesWithTheLimitAndTheLastCursor() {
    for (int i = 0; i < 25; i++) {
      append("t1", log("e" + i, "w1"));
    }
    List<String> seen = new ArrayList<>();
    Cursor at = log.beginning();
    while (true) {
      List<StoredEvent> page = log.read("t1", at, EventFilter.ALL, 10);
      if (page.isEmpty()) {
        break;
      }
      assertThat(page.size()).isLessThanOrEqualTo(10);
      seen.addAll(ids(page));
      at = page.getLast().cursor();
    }
    assertThat(seen).hasSize(25).doesNotHaveDuplicates();
    assertThat(seen.getFirst()).isEqualTo("e0");
    assertThat(seen.getLast()).isEqualTo("e24");
  }

  @Test
  void readFiltersByRunAgentAndTypePrefix() {
    append("t1",
        event("1", "task.created", "m", "r1"),
        event("2", "task.started", "w1", "r1"),
        event("3", "task.started", "w1", "r2"),
        event("4", "agent.heartbeat", "w1", "r1"),
        event("5", "tool.called.x", "w2", "r1"));

    assertThat(ids(log.read("t1", log.beginning(), new EventFilter("r1", null, List.of()), 100)))
        .containsExactly("1", "2", "4", "5");
    assertThat(ids(log.read("t1", log.beginning(), new EventFilter(null, "w1", List.of()), 100)))
        .containsExactly("2", "3", "4");
    assertThat(ids(log.read("t1", log.beginning(), new EventFilter("r1", null, List.of("task.*")), 100)))
        .containsExactly("1", "2");
    assertThat(ids(log.read("t1", log.beginning(),
        new EventFilter(null, null, List.of("agent.heartbeat", "tool.*")), 100)))
        .containsExactly("4", "5");
  }

  @Test
  void headCoversEverythingAppended() {
    assertThat(log.read("t1", log.head(), EventFilter.ALL, 10)).isEmpty();
    List<AppendResult> r = append("t1", log("a", "w1"), log("b", "w1"));

    assertThat(log.head().coversAll(r.get(1).stored().cursor())).isTrue();
    assertThat(log.read("t1", log.head(), EventFilter.ALL, 10)).isEmpty();
  }

  @Test
  void aCursorOfAnotherStoreIsStale() {
    append("t1", log("a", "w1"));
    Cursor foreign = Cursor.at("otherstore", 0);

    assertThatThrownBy(() -> log.read("t1", foreign, EventFilter.ALL, 10))
        .isInstanceOf(StaleCursorException.class)
        .satisfies(e -> assertThat(((StaleCursorException) e).head().storeId()).isEqualTo(log.storeId()));
  }

  @Test
  void aCursorPastTheHeadIsStale() {
    List<AppendResult> r = append("t1", log("a", "w1"));
    Cursor ahead = r.getFirst().stored().cursor().advance(0, r.getFirst().stored().offset() + 5);

    assertThatThrownBy(() -> log.read("t1", ahead, EventFilter.ALL, 10)).isInstanceOf(StaleCursorException.class);
    assertThatThrownBy(() -> log.readAll(ahead, 10)).isInstanceOf(StaleCursorException.class);
  }

  @Test
  void storedEventsKeepTheEnvelope() {
    Event sent = event("a", "task.progress", "w1", "r1");
    sent.data().put("percent", 40);
    append("t1", sent);

    StoredEvent stored = log.read("t1", log.beginning(), EventFilter.ALL, 10).getFirst();
    assertThat(stored.event()).isEqualTo(sent);
    assertThat(stored.tenant()).isEqualTo("t1");
    assertThat(stored.json()).contains("\"percent\":40").contains("\"cursor\":\"" + stored.cursor() + "\"");
  }

  @Test
  void listenersGetEveryAppendedEventOnceInOrder() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    try (AutoCloseable ignored = log.tail(batch -> batch.forEach(e -> heard.add(e.event().id())))) {
      List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        pending.add(log.append("t1", List.of(log("e" + i, "w1"), log("e" + i, "w1"))));
      }
      pending.forEach(CompletableFuture::join);
      awaitSize(heard, 50);
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("e" + i);
    }
    assertThat(heard).containsExactlyElementsOf(expected);
  }

  @Test
  void concurrentProducersKeepEachAgentsOrder() throws Exception {
    int producers = 4;
    int perProducer = 200;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int p = 0; p < producers; p++) {
      String agent = "agent-" + p;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < perProducer; i += 10) {
            List<Event> batch = new ArrayList<>();
            for (int j = i; j < i + 10; j++) {
              batch.add(log(agent + "-" + j, agent));
            }
            log.append("t1", batch).join();
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(60));
    }
    assertThat(failures).isEmpty();
    List<StoredEvent> all = log.read("t1", log.beginning(), EventFilter.ALL, 10_000);
    assertThat(all).hasSize(producers * perProducer);
    for (int p = 0; p < producers; p++) {
      String agent = "agent-" + p;
      List<String> order = all.stream().map(StoredEvent::event).filter(e -> e.agentId().equals(agent))
          .map(Event::id).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < perProducer; i++) {
        expected.add(agent + "-" + i);
      }
      assertThat(order).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void afterCloseAppendsAreRefused() {
    log.close();
    assertThatThrownBy(() -> log.append("t1", List.of(log("a", "w1"))).join())
        .hasRootCauseInstanceOf(UnavailableException.class);
  }

  protected static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSize(size);
  }
}
