package io.agentwatch.storage.sqlite;

import static io.agentwatch.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.TestEvents;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Randomized: appends from several threads, with retries of their own events and of other
 * threads' acknowledged ones, then reads from random cursors in random page sizes. Each
 * repetition draws a new plan and prints its seed; {@code -Dagentwatch.seed=<seed>} replays that
 * plan (thread timing still varies).
 */
class SqliteEventLogPropertyTest {

  private static final String[] TYPES = {"task.started", "task.progress", "log.line", "metric"};
  private static final String[] TYPE_PATTERNS = {"task.*", "log.line", "metric", "*", "log.*", "nothing.*"};

  @TempDir
  Path dir;

  private record Sent(String tenant, Event event) {
    String key() {
      return tenant + "/" + event.id();
    }
  }

  private static Event eventOf(String agent, int k) {
    return TestEvents.event(agent + "-" + k, TYPES[k % TYPES.length], agent, "run-" + (k % 3), T0.plusMillis(k));
  }

  @RepeatedTest(5)
  void randomInterleavingsStoreEachIdOnceKeepEachAgentsOrderAndResumeFromAnyCursor() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    String why = "seed " + seed;
    Random random = new Random(seed);
    int threads = 2 + random.nextInt(5);
    int agentsPerThread = 1 + random.nextInt(3);
    int eventsPerAgent = 10 + random.nextInt(150);
    System.out.printf("SqliteEventLogPropertyTest seed %d (rerun with -Dagentwatch.seed=%d): %d threads x %d agents x %d"
        + " events%n", seed, seed, threads, agentsPerThread, eventsPerAgent);

    try (SqliteDatabase db = SqliteDatabase.open(dir); SqliteEventLog log = SqliteEventLog.open(db)) {
      List<StoredEvent> heard = new CopyOnWriteArrayList<>();
      log.tail(heard::addAll);
      Map<String, Integer> accepted = new ConcurrentHashMap<>();
      List<Sent> acked = new CopyOnWriteArrayList<>();
      Set<String> sent = ConcurrentHashMap.newKeySet();
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Thread> producers = new ArrayList<>();
      Map<String, List<String>> agentsByTenant = new ConcurrentHashMap<>();
      for (int t = 0; t < threads; t++) {
        // Threads 2k and 2k+1 use the same agent names and ids, in different tenants.
        String tenant = t % 2 == 0 ? "t1" : "t2";
        List<String> agents = new ArrayList<>();
        for (int a = 0; a < agentsPerThread; a++) {
          agents.add("a" + (t / 2) + "." + a);
        }
        agentsByTenant.computeIfAbsent(tenant, k -> new CopyOnWriteArrayList<>()).addAll(agents);
        Random own = new Random(random.nextLong());
        producers.add(Thread.ofPlatform().start(() -> {
          try {
            produce(log, own, tenant, agents, eventsPerAgent, sent, accepted, acked);
          } catch (Throwable e) {
            failures.add(e);
          }
        }));
      }
      for (Thread p : producers) {
        p.join();
      }
      assertThat(failures).as(why).isEmpty();

      assertThat(sent).as(why).hasSize(threads * agentsPerThread * eventsPerAgent);
      for (String key : sent) {
        assertThat(accepted.get(key)).as(why + ": accepted once: " + key).isEqualTo(1);
      }
      List<StoredEvent> all = new ArrayList<>();
      for (String tenant : agentsByTenant.keySet()) {
        List<StoredEvent> stored = log.read(tenant, log.beginning(), EventFilter.ALL, 100_000);
        Set<String> ids = new HashSet<>();
        stored.forEach(e -> assertThat(ids.add(e.event().id())).as(why + ": stored once").isTrue());
        for (String agent : agentsByTenant.get(tenant)) {
          List<String> order = stored.stream().filter(e -> e.event().agentId().equals(agent))
              .map(e -> e.event().id()).toList();
          List<String> expected = new ArrayList<>();
          for (int k = 0; k < eventsPerAgent; k++) {
            expected.add(agent + "-" + k);
          }
          assertThat(order).as(why + ": order of " + tenant + "/" + agent).containsExactlyElementsOf(expected);
        }
        all.addAll(stored);
      }
      all.sort((a, b) -> Long.compare(a.offset(), b.offset()));
      assertThat(all).as(why).hasSize(sent.size());

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (heard.size() < all.size() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(heard).as(why + ": listeners hear every stored event once, in log order")
          .extracting(StoredEvent::offset).containsExactlyElementsOf(all.stream().map(StoredEvent::offset).toList());

      for (int round = 0; round < 60; round++) {
        checkRandomResume(log, new SqliteEventStore(db), random, all, agentsByTenant, why + ", round " + round);
      }
    }
  }

  private static void produce(SqliteEventLog log, Random random, String tenant, List<String> agents,
      int eventsPerAgent, Set<String> sent, Map<String, Integer> accepted, List<Sent> acked) {
    int[] next = new int[agents.size()];
    List<Event> mine = new ArrayList<>();
    ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    List<Integer> unfinished = new ArrayList<>();
    for (int a = 0; a < agents.size(); a++) {
      unfinished.add(a);
    }
    while (!unfinished.isEmpty()) {
      int size = 1 + random.nextInt(20);
      List<Event> batch = new ArrayList<>(size);
      for (int s = 0; s < size && !unfinished.isEmpty(); s++) {
        double p = random.nextDouble();
        List<Sent> othersAcked = p < 0.2 ? acked.stream().filter(x -> x.tenant().equals(tenant)).toList() : List.of();
        if (p < 0.15 && !mine.isEmpty()) {
          batch.add(mine.get(random.nextInt(mine.size())));
        } else if (p < 0.2 && !othersAcked.isEmpty()) {
          batch.add(othersAcked.get(random.nextInt(othersAcked.size())).event());
        } else {
          int a = unfinished.get(random.nextInt(unfinished.size()));
          Event e = eventOf(agents.get(a), next[a]++);
          if (next[a] == eventsPerAgent) {
            unfinished.remove(Integer.valueOf(a));
          }
          batch.add(e);
          mine.add(e);
          sent.add(new Sent(tenant, e).key());
        }
      }
      CompletableFuture<Void> recorded = log.append(tenant, batch).thenAccept(results -> {
        for (AppendResult r : results) {
          if (!r.isDuplicate()) {
            Sent s = new Sent(tenant, r.stored().event());
            accepted.merge(s.key(), 1, Integer::sum);
            acked.add(s);
          }
        }
      });
      if (random.nextBoolean()) {
        recorded.orTimeout(30, TimeUnit.SECONDS).join();
      } else {
        inFlight.add(recorded);
      }
    }
    inFlight.forEach(f -> f.orTimeout(30, TimeUnit.SECONDS).join());
  }

  private static void checkRandomResume(SqliteEventLog log, SqliteEventStore store, Random random,
      List<StoredEvent> all, Map<String, List<String>> agentsByTenant, String why) {
    List<String> tenants = new ArrayList<>(agentsByTenant.keySet());
    Collections.sort(tenants);
    String tenant = tenants.get(random.nextInt(tenants.size()));
    List<String> agents = agentsByTenant.get(tenant);
    EventFilter filter = new EventFilter(
        random.nextInt(3) == 0 ? "run-" + random.nextInt(3) : null,
        random.nextInt(3) == 0 ? agents.get(random.nextInt(agents.size())) : null,
        random.nextInt(2) == 0 ? List.of() : List.of(TYPE_PATTERNS[random.nextInt(TYPE_PATTERNS.length)],
            TYPE_PATTERNS[random.nextInt(TYPE_PATTERNS.length)]));
    long lastOffset = all.getLast().offset();
    // Up to the last offset: a cursor past the end of the log is stale (StaleCursorException).
    long after = -1 + (long) random.nextInt((int) lastOffset + 2);
    Cursor from = after < 0 ? log.beginning() : Cursor.at(log.storeId(), after);
    List<Long> expected = all.stream()
        .filter(e -> e.tenant().equals(tenant) && e.offset() > after && filter.matches(e))
        .map(StoredEvent::offset).toList();
    String context = why + ": tenant " + tenant + ", " + filter + ", after " + after;

    List<Long> viaLog = new ArrayList<>();
    Cursor at = from;
    while (true) {
      List<StoredEvent> page = log.read(tenant, at, filter, 1 + random.nextInt(40));
      if (page.isEmpty()) {
        break;
      }
      page.forEach(e -> viaLog.add(e.offset()));
      at = page.getLast().cursor();
    }
    assertThat(viaLog).as(context + " (log)").containsExactlyElementsOf(expected);

    List<Long> viaStore = new ArrayList<>();
    EventPage page = store.query(tenant, new EventQuery(filter, null, null, from, 1 + random.nextInt(40)));
    page.events().forEach(e -> viaStore.add(e.offset()));
    while (page.next() != null) {
      page = store.query(tenant, new EventQuery(filter, null, null, page.next(), 1 + random.nextInt(40)));
      page.events().forEach(e -> viaStore.add(e.offset()));
    }
    assertThat(viaStore).as(context + " (store)").containsExactlyElementsOf(expected);
  }
}
