package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.stream.StreamFixture.ids;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.agentwatch.core.stream.StreamFixture.Subscriber;
import org.junit.jupiter.api.Test;

/**
 * Property: a subscription resumed from any cursor a subscriber was given yields exactly the
 * matching events after it, once each and in log order, then the live ones, also while events
 * are being appended during the replay. Seeded: a failure prints the seed, and
 * {@code -Dagentwatch.seed=<seed>} replays the same histories.
 */
class ResumePropertyTest {

  private static final int ITERATIONS = 100;
  private static final Duration QUIET = Duration.ofMillis(5);



  private static EventFilter randomFilter(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> new EventFilter("r" + random.nextInt(2), null, List.of());
      case 1 -> new EventFilter(null, "w" + random.nextInt(3), List.of());
      case 2 -> new EventFilter(null, null, List.of("task.*", "metric"));
      case 3 -> new EventFilter("r0", "w1", List.of("*"));
      default -> EventFilter.ALL;
    };
  }

  /** Appends in batches of random sizes to random tenants; returns what t1 stored. */
  private List<StoredEvent> appendRandomly(StreamFixture fx, Random random, List<Event> events) {
    List<StoredEvent> ofT1 = new ArrayList<>();
    for (int i = 0; i < events.size(); ) {
      int n = Math.min(events.size() - i, 1 + random.nextInt(20));
      String tenant = random.nextInt(4) == 0 ? "t2" : "t1";
      List<StoredEvent> stored = fx.append(tenant, events.subList(i, i + n));
      if (tenant.equals("t1")) {
        ofT1.addAll(stored);
      }
      i += n;
    }
    return ofT1;
  }

  private static List<StoredEvent> after(List<StoredEvent> events, Cursor cursor, EventFilter filter) {
    return events.stream().filter(e -> !cursor.covers(e.partition(), e.offset()) && filter.matches(e)).toList();
  }

  @Test
  void aSubscriptionFromAnyDeliveredCursorYieldsExactlyTheRemainingEvents() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String description = "seed=" + seed + " iteration=" + iteration;
      RandomEvents events = new RandomEvents(random);
      int capacity = random.nextBoolean() ? 8 : Fanout.DEFAULT_QUEUE_CAPACITY;
      try (StreamFixture fx = new StreamFixture(capacity)) {
        List<StoredEvent> history = appendRandomly(fx, random, events.next(random.nextInt(150)));
        EventFilter filter = randomFilter(random);

        Subscriber full = fx.subscribe("t1", filter, fx.log.beginning());
        List<StoredEvent> expected = after(history, fx.log.beginning(), filter);
        List<StoredEvent> delivered = read(full, expected.size(), description);
        assertThat(ids(delivered)).as(description).containsExactlyElementsOf(ids(expected));
        assertThat(full.next(QUIET)).as(description + ": nothing more").isNull();
        full.close();

        // Resume from a delivered cursor, or from before the first, while more events arrive.
        int k = random.nextInt(delivered.size() + 1) - 1;
        Cursor resumeFrom = k < 0 ? fx.log.beginning() : delivered.get(k).cursor();
        Subscriber resumed = fx.subscribe("t1", filter, resumeFrom);
        List<Event> more = events.next(random.nextInt(60));
        CompletableFuture<List<StoredEvent>> live =
            CompletableFuture.supplyAsync(() -> appendRandomly(fx, random, more));
        List<StoredEvent> remaining = after(history, resumeFrom, filter);
        List<StoredEvent> got = new ArrayList<>(read(resumed, remaining.size(), description));
        assertThat(ids(got)).as(description + ": replayed after " + resumeFrom)
            .containsExactlyElementsOf(ids(remaining));

        List<StoredEvent> liveMatching = after(live.get(10, TimeUnit.SECONDS), resumeFrom, filter);
        Cursor at = got.isEmpty() ? resumeFrom : got.getLast().cursor();
        got.addAll(readThrough(resumed, at, liveMatching, description));
        List<StoredEvent> all = new ArrayList<>(remaining);
        all.addAll(liveMatching);
        assertThat(ids(got)).as(description + " resumed after " + resumeFrom).containsExactlyElementsOf(ids(all));
      }
    }
  }

  /**
   * Live events up to the last of {@code expected}. A small queue overflows now and then: the
   * subscription then reads from the log and rejoins live delivery, which the reader never sees.
   */
  private static List<StoredEvent> readThrough(Subscriber s, Cursor at, List<StoredEvent> expected,
      String description) throws InterruptedException {
    List<StoredEvent> out = new ArrayList<>();
    long last = expected.isEmpty() ? at.position(0) : expected.getLast().offset();
    while (!at.covers(0, last)) {
      Delivery d = s.next(Duration.ofSeconds(10));
      assertThat(d).as("%s: waiting for offset %d", description, last).isNotNull();
      switch (d) {
        case Delivery.Item item -> {
          out.add(item.event());
          at = item.cursor();
        }
        case Delivery.Gap gap -> throw new AssertionError(description + ": unexpected " + gap);
        case Delivery.Reset reset -> throw new AssertionError(description + ": unexpected " + reset);
      }
    }
    assertThat(s.next(QUIET)).as(description + ": nothing more").isNull();
    return out;
  }

  /** The next {@code n} deliveries, each of which must be an event (replay never gaps). */
  private static List<StoredEvent> read(Subscriber s, int n, String description) throws InterruptedException {
    List<StoredEvent> out = new ArrayList<>(n);
    while (out.size() < n) {
      Delivery d = s.next(Duration.ofSeconds(10));
      assertThat(d).as("%s: delivery %d of %d", description, out.size() + 1, n).isNotNull();
      switch (d) {
        case Delivery.Item item -> out.add(item.event());
        case Delivery.Gap gap -> throw new AssertionError(description + ": unexpected " + gap);
        case Delivery.Reset reset -> throw new AssertionError(description + ": unexpected " + reset);
      }
    }
    return out;
  }
}
