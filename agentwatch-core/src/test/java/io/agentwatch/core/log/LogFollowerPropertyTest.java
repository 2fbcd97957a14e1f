package io.agentwatch.core.log;

import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.state.Folds;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Seeded ({@code -Dagentwatch.seed=<seed>} replays a run): whatever the page size, wherever the
 * follower is restarted or crashes, and whichever batch or save fails once, a reader that saves
 * its state with the position it is given ends up with every event of the log exactly once, in
 * log order.
 */
class LogFollowerPropertyTest {

  private static final int ITERATIONS = 25;
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** What the reader saved: the ids it took, and the position they reach. */
  private record Saved(Cursor position, List<String> ids) {}

  /** A reader whose whole state is the ids of the events it took. */
  private static final class Recorder implements LogFollower.Handler {
    private final EventLog log;
    private final AtomicReference<Saved> store;
    private final int page;
    final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<String> taken;
    int loads;
    private Cursor position;
    volatile boolean failNextBatch;
    volatile boolean failNextSave;
    /** A crash loses what close would save. */
    volatile boolean crashing;

    Recorder(EventLog log, AtomicReference<Saved> store, int page) {
      this.log = log;
      this.store = store;
      this.page = page;
    }

    @Override
    public Cursor load() {
      loads++;
      Saved saved = store.get();
      taken = saved == null ? new ArrayList<>() : new ArrayList<>(saved.ids());
      position = saved == null ? log.beginning() : saved.position();
      return position;
    }

    @Override
    public Cursor handle(List<StoredEvent> events, Cursor after) {
      if (failNextBatch) {
        failNextBatch = false;
        throw new IllegalStateException("injected failure of a batch");
      }
      if (events.isEmpty() || events.size() > page) {
        problems.add("a batch of " + events.size() + " events with a page of " + page);
      }
      Cursor at = position;
      for (StoredEvent e : events) {
        if (e.offset() != at.position(e.partition()) + 1) {
          problems.add("event " + e.event().id() + " at " + e.offset() + " does not follow " + at);
        }
        at = at.advance(e.partition(), e.offset());
        taken.add(e.event().id());
      }
      if (!at.equals(after)) {
        problems.add("handed " + after + " after events that reach " + at);
      }
      position = after;
      return after;
    }

    @Override
    public void save(Cursor complete) {
      if (failNextSave) {
        failNextSave = false;
        throw new UnavailableException("injected failure of a save");
      }
      if (!complete.equals(position)) {
        problems.add("asked to save " + complete + " while at " + position);
      }
      if (!crashing) {
        store.set(new Saved(complete, List.copyOf(taken)));
      }
    }
  }

  @Test
  void everyEventReachesTheReaderOnceInOrderAcrossPagesFailuresAndRestarts() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    // Each failure costs the follower a second's pause, so only a few per run.
    int failuresLeft = 3;
    int n = 0;
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      AtomicReference<Saved> store = new AtomicReference<>();
      StringBuilder description = new StringBuilder("seed=" + seed + " iteration=" + iteration);
      try (InMemoryEventLog log = new InMemoryEventLog()) {
        n = append(log, random, random.nextInt(4), n);
        int rounds = 1 + random.nextInt(3);
        for (int round = 0; round < rounds; round++) {
          int page = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
          Recorder reader = new Recorder(log, store, page);
          LogFollower follower = new LogFollower("test-follower", log, page, Clock.systemUTC(), reader);
          follower.start();
          description.append(" round ").append(round).append(": page=").append(page);
          if (failuresLeft > 0 && random.nextInt(4) == 0) {
            failuresLeft--;
            boolean batch = random.nextBoolean();
            description.append(batch ? " (a batch fails)" : " (a save fails)");
            if (batch) {
              reader.failNextBatch = true;
            } else {
              reader.failNextSave = true;
            }
          }
          n = append(log, random, random.nextInt(12), n);
          if (random.nextBoolean()) {
            assertThat(follower.awaitPosition(log.head(), WAIT)).as(description.toString()).isTrue();
          }
          reader.crashing = round < rounds - 1 && random.nextBoolean();
          description.append(reader.crashing ? " (crash)" : "");
          follower.close();
          assertThat(reader.problems).as(description.toString()).isEmpty();
        }
        List<String> logged = ids(Folds.readAll(log));
        if (store.get() != null) {
          assertThat(logged).as(description + ": what was saved").startsWith(store.get().ids().toArray(String[]::new));
        }

        Recorder reader = new Recorder(log, store, 1000);
        try (LogFollower follower = new LogFollower("test-follower", log, 1000, Clock.systemUTC(), reader)) {
          follower.start();
          assertThat(follower.awaitPosition(log.head(), WAIT)).as(description.toString()).isTrue();
          assertThat(follower.position()).as(description.toString()).isEqualTo(log.head());
        }
        assertThat(reader.problems).as(description.toString()).isEmpty();
        assertThat(reader.taken).as(description.toString()).isEqualTo(logged);
        Cursor saved = store.get() == null ? log.beginning() : store.get().position();
        assertThat(saved).as(description + ": saved on close").isEqualTo(log.head());
      } catch (AssertionError e) {
        System.out.println("LogFollowerPropertyTest failed: " + description);
        throw e;
      }
    }
  }

  @Test
  void aReadThatCallsThePositionStaleMakesTheReaderLoadItsSavedStateAgain() throws Exception {
    try (InMemoryEventLog log = new InMemoryEventLog()) {
      AtomicBoolean stale = new AtomicBoolean();
      EventLog replaced = new StaleOnce(log, stale);
      AtomicReference<Saved> store = new AtomicReference<>();
      Recorder reader = new Recorder(log, store, 10);
      try (LogFollower follower = new LogFollower("test-follower", replaced, 10, Clock.systemUTC(), reader)) {
        follower.start();
        append(log, new Random(1), 3, 0);
        assertThat(follower.awaitPosition(log.head(), WAIT)).isTrue();
        stale.set(true);
        follower.wake();
        while (stale.get()) {
          Thread.sleep(5);
        }
        append(log, new Random(2), 3, 1000);
        assertThat(follower.awaitPosition(log.head(), WAIT)).isTrue();
      }
      assertThat(reader.loads).as("loaded on start and again after the stale read").isEqualTo(2);
      assertThat(reader.problems).isEmpty();
      assertThat(reader.taken).isEqualTo(ids(Folds.readAll(log)));
    }
  }

  /** The log, but its next {@code readAll} calls the position stale once {@code stale} is set. */
  private record StaleOnce(EventLog log, AtomicBoolean stale) implements EventLog {
    @Override
    public List<StoredEvent> readAll(Cursor after, int limit) {
      if (stale.getAndSet(false)) {
        throw new StaleCursorException(after, log.head());
      }
      return log.readAll(after, limit);
    }

    @Override public String storeId() { return log.storeId(); }
    @Override public Cursor head() { return log.head(); }
    @Override public Cursor beginning() { return log.beginning(); }
    @Override public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
      return log.append(tenant, events);
    }
    @Override public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
      return log.read(tenant, after, filter, limit);
    }
    @Override public AutoCloseable tail(Consumer<List<StoredEvent>> listener) { return log.tail(listener); }
    @Override public void check() {}
    @Override public void close() {}
  }

  /** Appends {@code batches} batches of random sizes, sometimes pausing so the follower catches up. */
  private static int append(EventLog log, Random random, int batches, int n) throws InterruptedException {
    for (int b = 0; b < batches; b++) {
      List<Event> events = new ArrayList<>();
      for (int i = random.nextInt(30); i >= 0; i--) {
        events.add(event("e" + n++, "log.line", "w" + random.nextInt(3), "r1"));
      }
      log.append("t" + random.nextInt(2), events).join();
      if (random.nextInt(4) == 0) {
        Thread.sleep(1);
      }
    }
    return n;
  }

  private static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }
}
