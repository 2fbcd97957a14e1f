package io.agentwatch.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
  private final AtomicLong notifiedUpTo = new AtomicLong(-1);
  private final AutoCloseable watch;

  StreamFixture(int queueCapacity) {
    fanout = new Fanout(log, queueCapacity, metrics, Clock.systemUTC()).start();
    // Registered after the fan-out, so it hears each batch after the fan-out has offered it.
    watch = log.tail(batch -> notifiedUpTo.accumulateAndGet(batch.getLast().offset(), Math::max));
  }

  static final class CountingMetrics implements PipelineMetrics {
    final AtomicInteger delivered = new AtomicInteger();
    final AtomicInteger conflated = new AtomicInteger();
    final AtomicInteger gaps = new AtomicInteger();

    @Override
    public void delivered(long nanos) {
      delivered.incrementAndGet();
    }

    @Override
    public void conflated() {
      conflated.incrementAndGet();
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

  /** The next {@code n} deliveries, each of which must be an event whose cursor is its own. */
  static List<StoredEvent> items(Subscription s, int n) throws InterruptedException {
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
  static void assertNothingMore(Subscription s, Duration wait) throws InterruptedException {
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
  }
}
