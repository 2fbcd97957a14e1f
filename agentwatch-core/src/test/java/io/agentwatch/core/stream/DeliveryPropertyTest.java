package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.stream.StreamFixture.ids;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Property: whatever the interleaving of appends, late notifications, readers that read slowly or
 * stop reading, queues that overflow, catch-up reads of the log and returns to live delivery,
 * every subscriber ends with exactly the log's matching events after its cursor, once each and in
 * log order, with no gap; and what a subscription holds stays bounded meanwhile.
 *
 * <p>Every step runs on the test's thread, picked by a seeded random: the fan-out's shard runs
 * inline, and catch-up reads and wake-ups wait in a {@link ManualExecutor} until the test runs
 * them, in random order. So a failure replays exactly with {@code -Dagentwatch.seed=<seed>}.
 */
class DeliveryPropertyTest {

  private static final int ITERATIONS = 300;
  private static final int STEPS = 400;

  /** A client: its connection (the recorder), its subscription, and what it read since it subscribed. */
  private static final class Reader {
    final String tenant;
    final EventFilter filter;
    final Cursor from;
    /** Where its events start: {@code from}, or the head when it subscribed live from now. */
    final Cursor start;
    final int window;
    final Recorder recorder;
    final Subscription subscription;
    final List<StoredEvent> got = new ArrayList<>();
    Cursor lastCursor;

    Reader(Fanout fanout, ManualExecutor tasks, String tenant, EventFilter filter, Cursor from, int window) {
      this.tenant = tenant;
      this.filter = filter;
      this.from = from;
      this.window = window;
      this.recorder = new Recorder(window, tasks);
      this.subscription = fanout.subscribe(tenant, filter, from, false, recorder);
      this.start = from != null ? from : subscription.position();
      this.lastCursor = start;
    }

    /** Reads up to {@code n} deliveries that are there; returns how many it read. */
    int read(int n, String description) {
      int read = 0;
      Delivery d;
      while (read < n && (d = recorder.poll()) != null) {
        read++;
        switch (d) {
          case Delivery.Item item -> {
            got.add(item.event());
            lastCursor = item.cursor();
          }
          case Delivery.Gap gap -> throw new AssertionError(description + ": a reader got " + gap);
          case Delivery.Reset reset -> throw new AssertionError(description + ": a reader got " + reset);
        }
      }
      return read;
    }
  }

  /**
   * The log, read through a door the test can slip work into: between a read's answer and the
   * reader's next step, other appends commit and are notified, as they would on other threads.
   */
  private static final class InterleavingLog implements EventLog {
    final InMemoryEventLog log;
    Runnable duringRead = () -> {};

    InterleavingLog(InMemoryEventLog log) {
      this.log = log;
    }

    @Override
    public String storeId() {
      return log.storeId();
    }

    @Override
    public Cursor head() {
      return log.head();
    }

    @Override
    public Cursor beginning() {
      return log.beginning();
    }

    @Override
    public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
      return log.append(tenant, events);
    }

    @Override
    public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
      List<StoredEvent> read = log.read(tenant, after, filter, limit);
      duringRead.run();
      return read;
    }

    @Override
    public List<StoredEvent> readAll(Cursor after, int limit) {
      return log.readAll(after, limit);
    }

    @Override
    public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
      return log.tail(listener);
    }

    @Override
    public void check() {
      log.check();
    }

    @Override
    public void close() {
      log.close();
    }
  }

  @Test
  void everySubscriberGetsExactlyTheMatchingEventsInOrderWhateverItsPace() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String description = "seed=" + seed + " iteration=" + iteration;
      try (InMemoryEventLog log = new InMemoryEventLog()) {
        run(random, log, description);
      }
    }
  }

  private void run(Random random, InMemoryEventLog log, String description) {
    RandomEvents events = new RandomEvents(random);
    ManualExecutor tasks = new ManualExecutor();
    int capacity = 1 + random.nextInt(12);
    InterleavingLog door = new InterleavingLog(log);
    // Not started: the test plays the log's notifier, late and in order.
    Fanout fanout = new Fanout(door, capacity, PipelineMetrics.NONE, Clock.systemUTC(), tasks, List.of(Runnable::run));
    ArrayDeque<List<StoredEvent>> unnotified = new ArrayDeque<>();
    // Now and then, while a subscription reads the log, others append and the fan-out hears of it.
    door.duringRead = () -> {
      if (random.nextInt(3) == 0) {
        List<StoredEvent> stored = append(log, random.nextInt(4) == 0 ? "t2" : "t1",
            events.next(1 + random.nextInt(2 * capacity + 2)));
        if (!stored.isEmpty()) {
          unnotified.add(stored);
        }
        while (!unnotified.isEmpty() && random.nextBoolean()) {
          fanout.accept(unnotified.poll());
        }
      }
    };
    List<Reader> readers = new ArrayList<>();
    List<Reader> finished = new ArrayList<>();

    for (int step = 0; step < STEPS; step++) {
      String at = description + " step=" + step;
      int pick = random.nextInt(100);
      if (pick < 20) {
        String tenant = random.nextInt(4) == 0 ? "t2" : "t1";
        List<StoredEvent> stored = append(log, tenant, events.next(1 + random.nextInt(8)));
        if (!stored.isEmpty()) {
          unnotified.add(stored);
        }
      } else if (pick < 30) {
        if (!unnotified.isEmpty()) {
          fanout.accept(unnotified.poll());
        }
      } else if (pick < 55) {
        tasks.runOne(random);
      } else if (pick < 80) {
        if (!readers.isEmpty()) {
          readers.get(random.nextInt(readers.size())).read(1 + random.nextInt(6), at);
        }
      } else if (pick < 87) {
        if (!readers.isEmpty()) {
          Reader r = readers.get(random.nextInt(readers.size()));
          if (random.nextBoolean()) {
            r.recorder.pause();
          } else {
            r.recorder.resume();
          }
        }
      } else if (pick < 95) {
        if (readers.size() < 6) {
          readers.add(newReader(random, fanout, tasks, log, readers, finished));
        }
      } else if (!readers.isEmpty()) {
        // A client goes away and comes back from the last cursor it read.
        Reader gone = readers.remove(random.nextInt(readers.size()));
        gone.subscription.close();
        finished.add(gone);
        readers.add(new Reader(fanout, tasks, gone.tenant, gone.filter, gone.lastCursor, 1 + random.nextInt(8)));
      }
      for (Reader r : readers) {
        assertThat(r.subscription.queued()).as("%s: live queue bound", at).isLessThanOrEqualTo(capacity);
        assertThat(r.recorder.unread()).as("%s: what waits in the connection", at)
            .isLessThanOrEqualTo(r.window + Subscription.MAX_BATCH);
      }
    }

    // The end: every notification arrives, every client reads on, until nothing moves.
    door.duringRead = () -> {};
    while (!unnotified.isEmpty()) {
      fanout.accept(unnotified.poll());
    }
    readers.forEach(r -> r.recorder.resume());
    boolean moved = true;
    while (moved) {
      moved = tasks.runOne(random);
      for (Reader r : readers) {
        moved |= r.read(Integer.MAX_VALUE, description) > 0;
      }
    }
    for (Reader r : readers) {
      List<StoredEvent> expected = log.read(r.tenant, r.start, r.filter, Integer.MAX_VALUE);
      assertThat(ids(r.got)).as("%s: %s from %s", description, r.filter, r.from).containsExactlyElementsOf(ids(expected));
      assertThat(r.subscription.isOpen()).as(description).isTrue();
      assertThat(r.subscription.isCatchingUp()).as("%s: back to live", description).isFalse();
    }
    // A client that went away had what it read so far without a hole.
    for (Reader r : finished) {
      List<StoredEvent> expected = log.read(r.tenant, r.start, r.filter, r.got.size());
      assertThat(ids(r.got)).as("%s: %s from %s, before it went away", description, r.filter, r.from)
          .containsExactlyElementsOf(ids(expected));
    }
    fanout.close();
  }

  private static Reader newReader(Random random, Fanout fanout, ManualExecutor tasks, InMemoryEventLog log,
      List<Reader> readers, List<Reader> finished) {
    String tenant = random.nextInt(4) == 0 ? "t2" : "t1";
    EventFilter filter = switch (random.nextInt(5)) {
      case 0 -> new EventFilter("r" + random.nextInt(2), null, List.of());
      case 1 -> new EventFilter(null, "w" + random.nextInt(3), List.of());
      case 2 -> new EventFilter(null, null, List.of("task.*", "metric"));
      case 3 -> new EventFilter(null, null, List.of("log", "tool.called"));
      default -> EventFilter.ALL;
    };
    Cursor from = switch (random.nextInt(4)) {
      case 0 -> null;
      case 1 -> log.beginning();
      case 2 -> log.head();
      default -> {
        List<Reader> all = new ArrayList<>(readers);
        all.addAll(finished);
        List<Cursor> seen = all.stream().flatMap(r -> r.got.stream()).map(StoredEvent::cursor).toList();
        yield seen.isEmpty() ? log.beginning() : seen.get(random.nextInt(seen.size()));
      }
    };
    return new Reader(fanout, tasks, tenant, filter, from, 1 + random.nextInt(8));
  }



  private static List<StoredEvent> append(InMemoryEventLog log, String tenant, List<Event> events) {
    List<AppendResult> results = log.append(tenant, events).join();
    return results.stream().map(AppendResult::stored).filter(Objects::nonNull).toList();
  }
}
