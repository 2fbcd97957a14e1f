package io.agentwatch.core.store;

import static io.agentwatch.core.TestEvents.T0;
import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: following {@code next} from page to page, whatever the page size, yields every
 * matching event exactly once and in log order, also when events are appended between pages.
 * Seeded: a failure prints the seed, and {@code -Dagentwatch.seed=<seed>} replays the same cases.
 */
class QueryPagingPropertyTest {

  private static final int ITERATIONS = 150;
  private static final List<String> TYPES = List.of("task.started", "task.progress", "agent.heartbeat", "log",
      "tool.called", "tool.result");

  private int nextId;

  private List<StoredEvent> appendRandomly(InMemoryEventLog log, Random random, int count) {
    List<StoredEvent> ofT1 = new ArrayList<>();
    int left = count;
    while (left > 0) {
      int n = Math.min(left, 1 + random.nextInt(25));
      List<Event> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String run = random.nextInt(5) == 0 ? null : "r" + random.nextInt(3);
        Instant ts = T0.plusSeconds(random.nextInt(100));
        batch.add(event("e" + nextId++, TYPES.get(random.nextInt(TYPES.size())), "w" + random.nextInt(3), run, ts));
      }
      String tenant = random.nextInt(3) == 0 ? "t2" : "t1";
      List<StoredEvent> stored = log.append(tenant, batch).join().stream()
          .map(AppendResult::stored).filter(Objects::nonNull).toList();
      if (tenant.equals("t1")) {
        ofT1.addAll(stored);
      }
      left -= n;
    }
    return ofT1;
  }

  private static EventQuery randomQuery(Random random, Cursor after, int limit) {
    EventFilter filter = switch (random.nextInt(5)) {
      case 0 -> new EventFilter("r" + random.nextInt(3), null, List.of());
      case 1 -> new EventFilter(null, "w" + random.nextInt(3), List.of("tool.*"));
      case 2 -> new EventFilter(null, null, List.of("task.*", "log"));
      default -> EventFilter.ALL;
    };
    Instant from = random.nextBoolean() ? null : T0.plusSeconds(random.nextInt(50));
    Instant to = random.nextBoolean() ? null : T0.plusSeconds(50 + random.nextInt(60));
    return new EventQuery(filter, from, to, after, limit);
  }

  private static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  @Test
  void followingNextWithAnyPageSizeYieldsEveryMatchingEventOnce() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String description = "seed=" + seed + " iteration=" + iteration;
      try (InMemoryEventLog log = new InMemoryEventLog()) {
        List<StoredEvent> ofT1 = new ArrayList<>(appendRandomly(log, random, random.nextInt(250)));
        int limit = random.nextInt(10) == 0 ? EventQuery.MAX_LIMIT : 1 + random.nextInt(40);
        Cursor start = random.nextInt(4) == 0 && !ofT1.isEmpty()
            ? ofT1.get(random.nextInt(ofT1.size())).cursor() : null;
        EventQuery first = randomQuery(random, start, limit);

        List<StoredEvent> seen = new ArrayList<>();
        EventPage page = log.query("t1", first);
        int pages = 1;
        int appendsBetweenPages = 0;
        while (true) {
          assertThat(page.events().size()).as(description).isLessThanOrEqualTo(limit);
          seen.addAll(page.events());
          if (page.next() == null) {
            break;
          }
          assertThat(page.next()).as(description).isEqualTo(page.events().getLast().cursor());
          if (appendsBetweenPages < 3 && random.nextInt(4) == 0) {
            appendsBetweenPages++;
            ofT1.addAll(appendRandomly(log, random, random.nextInt(30)));
          }
          page = log.query("t1", new EventQuery(first.filter(), first.from(), first.to(), page.next(), limit));
          pages++;
        }

        Cursor after = start == null ? log.beginning() : start;
        List<StoredEvent> expected = ofT1.stream()
            .filter(e -> !after.covers(e.partition(), e.offset()))
            .filter(e -> first.filter().matches(e) && first.inTimeRange(e.event().ts()))
            .toList();
        assertThat(ids(seen)).as("%s limit=%d pages=%d", description, limit, pages)
            .containsExactlyElementsOf(ids(expected));
      }
    }
  }
}
