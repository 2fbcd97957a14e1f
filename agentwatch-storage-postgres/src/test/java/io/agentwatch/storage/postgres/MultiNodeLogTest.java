package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.TestEvents;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.core.stream.InMemoryBackplane;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.postgresql.PGConnection;

/**
 * Two nodes (two databases and logs on the same schema) append the same ids concurrently, as
 * producers retrying against different nodes would. Followers poll only once an hour here, so
 * everything a node's tail hears from the other node was announced: by NOTIFY, or on a backplane
 * shared by the two nodes (then without any NOTIFY).
 */
class MultiNodeLogTest {

  private static final int AGENTS = 4;
  private static final int PER_AGENT = 250;

  /** Two members of one channel when {@code byBackplane}, else two nulls (NOTIFY). */
  private static Backplane[] backplanes(boolean byBackplane) {
    if (!byBackplane) {
      return new Backplane[2];
    }
    InMemoryBackplane first = new InMemoryBackplane();
    return new Backplane[] {first, first.join()};
  }

  private static PostgresEventLog open(PostgresDatabase db, Backplane backplane) {
    return PostgresEventLog.open(db, Clock.systemUTC(), Duration.ofHours(1), backplane);
  }

  @ParameterizedTest(name = "announced on a backplane: {0}")
  @ValueSource(booleans = {false, true})
  void twoNodesAppendingTheSameIdsStoreEachOnceAndBothTailsHearEveryEventOnceInPartitionOrder(boolean byBackplane)
      throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    System.out.println("MultiNodeLogTest seed " + seed + " (replay with -Dagentwatch.seed=" + seed + ")");
    PostgresConfig config = PostgresFixture.newConfig();
    Backplane[] backplane = backplanes(byBackplane);
    try (PostgresDatabase dbA = PostgresDatabase.open(config); PostgresDatabase dbB = PostgresDatabase.open(config);
         PostgresEventLog a = open(dbA, backplane[0]);
         PostgresEventLog b = open(dbB, backplane[1])) {
      assertThat(a.storeId()).isEqualTo(b.storeId());
      List<StoredEvent> heardByA = new CopyOnWriteArrayList<>();
      List<StoredEvent> heardByB = new CopyOnWriteArrayList<>();
      a.tail(heardByA::addAll);
      b.tail(heardByB::addAll);

      AtomicInteger acceptedByA = new AtomicInteger();
      AtomicInteger acceptedByB = new AtomicInteger();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      List<Thread> producers = new ArrayList<>();
      for (PostgresEventLog node : List.of(a, b)) {
        AtomicInteger accepted = node == a ? acceptedByA : acceptedByB;
        for (int agent = 0; agent < AGENTS; agent++) {
          Random random = new Random(seed * 31 + agent * 7 + (node == a ? 1 : 2));
          String name = "agent-" + agent;
          producers.add(Thread.ofPlatform().start(() -> {
            try {
              int i = 0;
              while (i < PER_AGENT) {
                List<Event> batch = new ArrayList<>();
                for (int n = 1 + random.nextInt(20); n > 0 && i < PER_AGENT; n--, i++) {
                  batch.add(event(name, i));
                }
                List<AppendResult> results = node.append("t1", batch).get(60, TimeUnit.SECONDS);
                accepted.addAndGet((int) results.stream().filter(r -> !r.isDuplicate()).count());
              }
            } catch (Throwable t) {
              failures.add(t);
            }
          }));
        }
      }
      for (Thread t : producers) {
        t.join(Duration.ofSeconds(120));
      }
      assertThat(failures).as("seed %d", seed).isEmpty();
      int total = AGENTS * PER_AGENT;
      assertThat(acceptedByA.get() + acceptedByB.get()).as("seed %d", seed).isEqualTo(total);
      // Which node wins each id is a race: on a busy machine one node may win them all.

      List<StoredEvent> stored = a.readAll(a.beginning(), 10_000);
      assertThat(stored).extracting(e -> e.event().id()).doesNotHaveDuplicates().hasSize(total);
      for (List<StoredEvent> heard : List.of(heardByA, heardByB)) {
        awaitSize(heard, total);
        assertHeardOnceInOrder(heard, seed);
      }
      assertThat(b.head()).isEqualTo(a.head());
    }
  }

  @ParameterizedTest(name = "announced on a backplane: {0}")
  @ValueSource(booleans = {false, true})
  void aNodeThatAppendsNothingHearsAnotherNodesEventAnnounced(boolean byBackplane) throws Exception {
    PostgresConfig config = PostgresFixture.newConfig();
    Backplane[] backplane = backplanes(byBackplane);
    try (PostgresDatabase dbA = PostgresDatabase.open(config); PostgresDatabase dbB = PostgresDatabase.open(config);
         Connection eavesdropper = dbA.dedicatedConnection();
         PostgresEventLog a = open(dbA, backplane[0]);
         PostgresEventLog b = open(dbB, backplane[1])) {
      try (Statement s = eavesdropper.createStatement()) {
        s.execute("LISTEN \"" + dbA.channel() + "\"");
      }
      List<StoredEvent> heardByB = new CopyOnWriteArrayList<>();
      b.tail(heardByB::addAll);
      // The listener's first read after LISTEN must be over before the append, or it could find the event itself.
      Thread.sleep(500);

      a.append("t1", List.of(event("agent-x", 0))).join();

      awaitSize(heardByB, 1);
      assertThat(heardByB.getFirst().event().id()).isEqualTo("agent-x-0");
      assertThat(heardByB.getFirst().cursor().covers(heardByB.getFirst().partition(), 0)).isTrue();
      var notifications = eavesdropper.unwrap(PGConnection.class).getNotifications(200);
      assertThat(notifications == null ? 0 : notifications.length).isEqualTo(byBackplane ? 0 : 1);
    }
  }

  private static Event event(String agent, int i) {
    Event e = TestEvents.log(agent + "-" + i, agent);
    return e.withRunId("run-" + agent);
  }

  private static void assertHeardOnceInOrder(List<StoredEvent> heard, long seed) {
    Set<String> ids = new HashSet<>();
    Map<Integer, Long> lastOffset = new HashMap<>();
    Map<String, Integer> lastOfAgent = new HashMap<>();
    for (StoredEvent e : heard) {
      assertThat(ids.add(e.event().id())).as("heard %s twice (seed %d)", e, seed).isTrue();
      long expected = lastOffset.getOrDefault(e.partition(), -1L) + 1;
      assertThat(e.offset()).as("offset in partition %d (seed %d)", e.partition(), seed).isEqualTo(expected);
      lastOffset.put(e.partition(), e.offset());
      int n = Integer.parseInt(e.event().id().substring(e.event().id().lastIndexOf('-') + 1));
      assertThat(n).as("order of %s (seed %d)", e.event().agentId(), seed)
          .isEqualTo(lastOfAgent.getOrDefault(e.event().agentId(), -1) + 1);
      lastOfAgent.put(e.event().agentId(), n);
    }
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSize(size);
  }
}
