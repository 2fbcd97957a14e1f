package io.agentwatch.kafka;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventLogContract;
import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.InMemoryIdLedger;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.testing.MutableClock;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class KafkaEventLogTest {

  private static final Duration RESERVATION_TTL = Duration.ofSeconds(30);

  private final List<AutoCloseable> opened = new ArrayList<>();
  private final MutableClock ledgerClock = new MutableClock(Instant.parse("2026-11-28T16:00:00Z"));
  private final InMemoryIdLedger ledger = new InMemoryIdLedger(ledgerClock, RESERVATION_TTL, Duration.ofHours(1));

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  @Nested
  class AsEventLog extends EventLogContract {
    @Override
    protected EventLog newLog() {
      InMemoryIdLedger own = new InMemoryIdLedger(Clock.systemUTC(), RESERVATION_TTL, Duration.ofHours(1));
      return KafkaEventLog.open(TestBroker.config(TestBroker.bootstrap(), TestBroker.freshTopic("contract")), own,
          Clock.systemUTC());
    }
  }

  private KafkaEventLog node(String topic, IdLedger idLedger) {
    KafkaEventLog log = KafkaEventLog.open(TestBroker.config(TestBroker.bootstrap(), topic), idLedger,
        Clock.systemUTC());
    opened.add(log);
    return log;
  }

  private static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  @Test
  void everyNodeHearsEveryNodesAppends() throws Exception {
    String topic = TestBroker.freshTopic("nodes");
    KafkaEventLog a = node(topic, ledger);
    KafkaEventLog b = node(topic, ledger);
    List<String> heardByA = new CopyOnWriteArrayList<>();
    List<String> heardByB = new CopyOnWriteArrayList<>();
    a.tail(batch -> batch.forEach(e -> heardByA.add(e.event().id())));
    b.tail(batch -> batch.forEach(e -> heardByB.add(e.event().id())));

    a.append("t1", List.of(log("from-a", "w1"))).join();
    b.append("t1", List.of(log("from-b", "w2"))).join();

    awaitSize(heardByA, 2);
    awaitSize(heardByB, 2);
    assertThat(heardByA).containsExactlyInAnyOrder("from-a", "from-b");
    assertThat(heardByB).containsExactlyInAnyOrder("from-a", "from-b");
  }

  @Test
  void anIdWrittenByAnotherNodeIsADuplicateEverywhere() {
    String topic = TestBroker.freshTopic("dup");
    KafkaEventLog a = node(topic, ledger);
    KafkaEventLog b = node(topic, ledger);
    a.append("t1", List.of(log("e1", "w1"))).join();

    assertThat(b.append("t1", List.of(log("e1", "w1"), log("e2", "w1"))).join())
        .extracting(AppendResult::isDuplicate).containsExactly(true, false);
    assertThat(RawTopic.readAll(TestBroker.bootstrap(), topic)).hasSize(2);
  }

  @Test
  void aRetryAfterAWriterDiedBeforeWritingIsWrittenNotReportedAsDuplicate() {
    String topic = TestBroker.freshTopic("crash-before");
    KafkaEventLog survivor = node(topic, ledger);
    // The dead node reserved the id and died before sending anything to Kafka.
    ledger.reserve("dead-node", List.of(new IdLedger.Key("t1", "e1")));

    assertThatThrownBy(() -> survivor.append("t1", List.of(log("e1", "w1"))).join())
        .hasRootCauseInstanceOf(UnavailableException.class)
        .hasMessageContaining("outcome is not known yet");
    ledgerClock.advance(RESERVATION_TTL.plusSeconds(1));

    List<AppendResult> retry = survivor.append("t1", List.of(log("e1", "w1"))).join();
    assertThat(retry.getFirst().isDuplicate()).isFalse();
    assertThat(survivor.append("t1", List.of(log("e1", "w1"))).join().getFirst().isDuplicate()).isTrue();
    assertThat(RawTopic.readAll(TestBroker.bootstrap(), topic)).hasSize(1);
  }

  @Test
  void aRetryAfterAWriterDiedBeforeConfirmingIsWrittenAgainAndTheCopyIsDroppedDownstream() throws Exception {
    String topic = TestBroker.freshTopic("crash-after");
    KafkaEventLog watcher = node(topic, ledger);
    List<String> heard = new CopyOnWriteArrayList<>();
    watcher.tail(batch -> batch.forEach(e -> heard.add(e.event().id())));
    // This node's event reaches Kafka, then the node dies before it confirms the id.
    KafkaEventLog dying = node(topic, new NeverConfirms(ledger));
    dying.append("t1", List.of(log("e1", "w1"))).join();
    dying.close();

    assertThatThrownBy(() -> watcher.append("t1", List.of(log("e1", "w1"))).join())
        .hasRootCauseInstanceOf(UnavailableException.class);
    ledgerClock.advance(RESERVATION_TTL.plusSeconds(1));
    assertThat(watcher.append("t1", List.of(log("e1", "w1"), log("e2", "w1"))).join())
        .extracting(AppendResult::isDuplicate).containsExactly(false, false);

    assertThat(RawTopic.readAll(TestBroker.bootstrap(), topic)).hasSize(3);
    awaitSize(heard, 2);
    Thread.sleep(300);
    assertThat(heard).containsExactly("e1", "e2");
    assertThat(ids(watcher.read("t1", watcher.beginning(), EventFilter.ALL, 100))).containsExactly("e1", "e2");
  }

  @Test
  void aRecreatedTopicIsAnotherStoreWhoseOldCursorsAreStale() throws Exception {
    String topic = TestBroker.freshTopic("recreated");
    KafkaEventLog first = node(topic, ledger);
    Cursor old = first.append("t1", List.of(log("e1", "w1"))).join().getFirst().stored().cursor();
    first.close();
    try (Admin admin = Admin.create(KafkaEventLog.adminProperties(TestBroker.config(TestBroker.bootstrap(), topic)))) {
      admin.deleteTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
    }

    KafkaEventLog second = openWhenDeleted(topic);

    assertThat(second.storeId()).isNotEqualTo(old.storeId());
    assertThatThrownBy(() -> second.read("t1", old, EventFilter.ALL, 10)).isInstanceOf(StaleCursorException.class);
  }

  private KafkaEventLog openWhenDeleted(String topic) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return node(topic, ledger);
      } catch (UnavailableException e) {
        // Deletion finishes in the background; creating the topic again fails until it has.
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  @Test
  void anAppendSpreadOverPartitionsGetsCursorsThatCoverItsEarlierEvents() {
    String topic = TestBroker.freshTopic("atomic");
    KafkaEventLog log = node(topic, ledger);
    List<io.agentwatch.model.Event> spread = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      spread.add(log("e" + i, "agent-" + i).withRunId("run-" + i));
    }

    List<AppendResult> results = log.append("t1", spread).join();

    assertThat(results.stream().map(r -> r.stored().partition()).distinct().count()).isGreaterThan(1);
    Cursor last = results.getLast().stored().cursor();
    for (AppendResult r : results) {
      assertThat(last.covers(r.stored().partition(), r.stored().offset())).isTrue();
    }
    assertThat(log.readAll(log.beginning(), 100)).hasSize(30);
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSizeGreaterThanOrEqualTo(size);
  }

  /** A ledger whose node dies between Kafka's acknowledgement and the confirmation. */
  private record NeverConfirms(IdLedger delegate) implements IdLedger {
    @Override
    public List<Claim> reserve(String owner, List<Key> keys) {
      return delegate.reserve(owner, keys);
    }

    @Override
    public void confirm(List<Key> keys) {}

    @Override
    public void release(String owner, List<Key> keys) {
      delegate.release(owner, keys);
    }

    @Override
    public void check() {}

    @Override
    public void close() {}
  }
}
