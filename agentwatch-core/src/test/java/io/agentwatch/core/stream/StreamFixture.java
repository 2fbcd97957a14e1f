package io.agentwatch.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory log with a started fan-out, and helpers to append and to read what a subscription
 * delivers. Knows when the fan-out has seen an appended event, so tests need not sleep.
 */
final class StreamFixture implements AutoCloseable {

  final InMemoryEventLog log = new InMemoryEventLog();
  final CountingMetrics metrics = new CountingMetrics();
  final Fanout fanout;
  final ExecutorService wakeUps = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicLong notifiedUpTo = new AtomicLong(-1);
  private final AutoCloseable watch;

  /** A fan-out whose one shard runs on the log's notifier, so the watch below follows it. */
  StreamFixture(int queueCapacity) {
    fanout = new Fanout(log, queueCapacity, metrics, Clock.systemUTC(), Executors.newVirtualThreadPerTaskExecutor(),
        List.of(Runnable::run)).start();
    // Registered after the fan-out, so it hears each batch after the fan-out has offered it.
    watch = log.tail(batch -> notifiedUpTo.accumulateAndGet(batch.getLast().offset(), Math::max));
  }

  /** A subscription and the client connection it pushes to. */
  record Subscriber(Subscription subscription, Recorder recorder) {

    Delivery next(Duration timeout) throws InterruptedException {
      return recorder.next(timeout);
    }

    Cursor position() {
      return subscription.position();
    }

    boolean isOpen() {
      return subscription.isOpen();
    }

    String tenant() {
      return subscription.tenant();
    }

    EventFilter filter() {
      return subscription.filter();
    }

    void end(GapReason reason) {
      subscription.end(reason);
    }

    void close() {
      subscription.close();
    }
  }

  /** A subscriber that reads as fast as it is sent to. */
  Subscriber subscribe(String tenant, EventFilter filter, Cursor after) {
    return subscribe(tenant, filter, after, Integer.MAX_VALUE, false);
  }

  /** A subscriber whose connection holds {@code window} unread deliveries at most. */
  Subscriber subscribe(String tenant, EventFilter filter, Cursor after, int window, boolean conflate) {
    Recorder recorder = new Recorder(window, wakeUps);
    return new Subscriber(fanout.subscribe(tenant, filter, after, conflate, recorder), recorder);
  }

  static final class CountingMetrics implements PipelineMetrics {
    final AtomicInteger delivered = new AtomicInteger();
    final AtomicInteger conflated = new AtomicInteger();
    final AtomicInteger gaps = new AtomicInteger();
    final AtomicInteger fellBehind = new AtomicInteger();

    @Override
    public void delivered(long nanos) {
      delivered.incrementAndGet();
    }

    @Override
    public void conflated() {
      conflated.incrementAndGet();
    }

    @Override
    public void fellBehind() {
      fellBehind.incrementAndGet();
    }

    @Override
    public void gap() {
      gaps.incrementAndGet();
    }
  }

  /** Appends and returns the events that were stored (duplicates left out). */
  List<StoredEvent> append(String tenant, List<Event> events) {
    List<AppendResult> results = log.append(tenant, events).orTimeout(10, TimeUnit.SECONDS).join();
    return results.stream().map(AppendResult::stored).filter(Objects::nonNull).toList();
  }

  List<StoredEvent> append(String tenant, Event... events) {
    return append(tenant, List.of(events));
  }

  /** Waits until the fan-out has offered every event appended so far to its subscriptions. */
  void awaitFannedOut() throws InterruptedException {
    long head = log.head().position(0);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (notifiedUpTo.get() < head && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(notifiedUpTo.get()).as("fan-out saw every event").isGreaterThanOrEqualTo(head);
  }

  /** The next {@code n} deliveries, each of which must be an event whose cursor is its own (one partition). */
  static List<StoredEvent> items(Subscriber s, int n) throws InterruptedException {
    List<StoredEvent> out = new ArrayList<>(n);
    while (out.size() < n) {
      Delivery d = s.next(Duration.ofSeconds(10));
      assertThat(d).as("delivery %d of %d", out.size() + 1, n).isInstanceOf(Delivery.Item.class);
      Delivery.Item item = (Delivery.Item) d;
      assertThat(item.cursor()).isEqualTo(item.event().cursor());
      out.add(item.event());
    }
    return out;
  }

  /** Asserts that nothing more is delivered within a short wait. */
  static void assertNothingMore(Subscriber s, Duration wait) throws InterruptedException {
    Delivery d = s.next(wait);
    assertThat(d).as("nothing more").isNull();
  }

  static List<String> ids(List<StoredEvent> events) {
    return events.stream().map(e -> e.event().id()).toList();
  }

  @Override
  public void close() throws Exception {
    watch.close();
    fanout.close();
    log.close();
    wakeUps.shutdownNow();
  }
}
