package io.agentwatch.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.OutboundBuffer.Entry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OutboundBufferTest {

  private static int ids;

  private static Entry entry(String type) {
    return entry(type, 10);
  }

  private static Entry entry(String type, int size) {
    String id = type + "-" + (ids++);
    return new Entry(id, type, Priority.of(type), "x".repeat(size));
  }

  private static List<String> types(List<Entry> entries) {
    return entries.stream().map(e -> e.type).toList();
  }

  private static List<Entry> takeAll(OutboundBuffer buffer) throws InterruptedException {
    return buffer.take(Integer.MAX_VALUE, Long.MAX_VALUE, Duration.ZERO, Duration.ZERO);
  }

  @Test
  void aFullBufferEvictsTheOldestLowPriorityEventFirst() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(3, 1_000);
    Entry metric1 = entry("metric");
    buffer.offer(metric1);
    buffer.offer(entry("tool.called"));
    buffer.offer(entry("metric"));

    OutboundBuffer.Offer offer = buffer.offer(entry("task.started"));

    assertThat(offer.accepted()).isTrue();
    assertThat(offer.evicted()).containsExactly(metric1);
    assertThat(types(takeAll(buffer))).containsExactly("tool.called", "metric", "task.started");
    assertThat(buffer.counts().droppedByType()).containsEntry("metric", 1L);
  }

  @Test
  void normalEventsAreEvictedOnlyWhenNoLowPriorityEventIsLeft() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(2, 1_000);
    buffer.offer(entry("llm.call"));
    buffer.offer(entry("agent.heartbeat"));

    assertThat(buffer.offer(entry("message.sent")).evicted()).extracting(e -> e.type).containsExactly("agent.heartbeat");
    assertThat(buffer.offer(entry("error.occurred")).evicted()).extracting(e -> e.type).containsExactly("llm.call");
    assertThat(types(takeAll(buffer))).containsExactly("message.sent", "error.occurred");
  }

  @Test
  void aLowPriorityEventNeverEvictsAMoreImportantOneAndIsRefusedInstead() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(2, 1_000);
    buffer.offer(entry("tool.called"));
    buffer.offer(entry("task.created"));

    OutboundBuffer.Offer offer = buffer.offer(entry("metric"));

    assertThat(offer.accepted()).isFalse();
    assertThat(offer.evicted()).isEmpty();
    assertThat(types(takeAll(buffer))).containsExactly("tool.called", "task.created");
    assertThat(buffer.counts().refused()).isEqualTo(1);
    assertThat(buffer.counts().droppedByType()).isEmpty();
  }

  @Test
  void criticalEventsAreNeverEvictedSoAFullBufferOfThemAnswersBackPressure() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(3, 1_000);
    buffer.offer(entry("task.created"));
    buffer.offer(entry("agent.status"));
    buffer.offer(entry("error.occurred"));

    assertThat(buffer.offer(entry("task.failed")).accepted()).isFalse();
    assertThat(buffer.offer(entry("log")).accepted()).isFalse();
    assertThat(types(takeAll(buffer))).containsExactly("task.created", "agent.status", "error.occurred");
  }

  @Test
  void theByteBoundEvictsAsManyEventsAsNeededOrNoneAtAll() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(100, 100);
    buffer.offer(entry("metric", 30));
    buffer.offer(entry("log", 30));
    buffer.offer(entry("task.created", 30));

    OutboundBuffer.Offer big = buffer.offer(entry("task.started", 60));
    assertThat(big.accepted()).isTrue();
    assertThat(big.evicted()).extracting(e -> e.type).containsExactly("metric", "log");
    assertThat(buffer.counts().bufferedBytes()).isEqualTo(90);

    OutboundBuffer.Offer tooBig = buffer.offer(entry("tool.called", 20));
    assertThat(tooBig.accepted()).isFalse();
    assertThat(buffer.counts().bufferedBytes()).as("a refused offer changes nothing").isEqualTo(90);
  }

  @Test
  void eventsAwaitingTheirAckAreNeverEvicted() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(2, 1_000);
    buffer.offer(entry("metric"));
    buffer.offer(entry("metric"));
    List<Entry> inFlight = takeAll(buffer);

    assertThat(buffer.offer(entry("task.created")).accepted()).isFalse();
    buffer.settle(inFlight, Set.of(inFlight.get(0).id), List.of());
    assertThat(buffer.offer(entry("task.created")).accepted()).isTrue();
  }

  @Test
  void batchesTakeTheOldestEventsWithinTheCountAndByteBounds() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(100, 10_000);
    for (int i = 0; i < 10; i++) {
      buffer.offer(entry("log", 100));
    }
    assertThat(buffer.take(4, 10_000, Duration.ZERO, Duration.ZERO)).hasSize(4);
    assertThat(buffer.take(100, 250, Duration.ZERO, Duration.ZERO)).as("bytes bound").hasSize(2);
    assertThat(buffer.take(100, 50, Duration.ZERO, Duration.ZERO)).as("one event even if larger").hasSize(1);
    assertThat(buffer.take(100, 10_000, Duration.ZERO, Duration.ZERO)).hasSize(3);
    assertThat(buffer.take(100, 10_000, Duration.ZERO, Duration.ZERO)).isEmpty();
    assertThat(buffer.counts().sent()).isEqualTo(10);
  }

  @Test
  void aBatchWaitsUpToTheLingerForMoreEvents() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(100, 10_000);
    buffer.offer(entry("log"));
    Thread late = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      buffer.offer(entry("log"));
      buffer.offer(entry("log"));
    });
    List<Entry> batch = buffer.take(3, 10_000, Duration.ofSeconds(5), Duration.ofSeconds(30));
    late.join();
    assertThat(batch).as("a full batch ends the linger early").hasSize(3);
  }

  @Test
  void settlingRemovesAckedAndRejectedEventsAndRequeuesTheRestInTheirPlace() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(100, 10_000);
    List<Entry> all = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Entry e = entry("log");
      all.add(e);
      buffer.offer(e);
    }
    List<Entry> first = buffer.take(3, 10_000, Duration.ZERO, Duration.ZERO);
    buffer.offer(entry("log"));

    List<Entry> back = buffer.settle(first, Set.of(all.get(0).id), List.of(1));

    assertThat(back).containsExactly(all.get(2));
    List<Entry> next = takeAll(buffer);
    assertThat(next.get(0)).as("the unacked event goes out before later ones").isSameAs(all.get(2));
    assertThat(next).hasSize(4);
    assertThat(buffer.counts().acked()).isEqualTo(1);
    assertThat(buffer.counts().rejected()).isEqualTo(1);
  }

  @Test
  void settledWaitsOnlyForEventsOfferedBeforeTheMark() throws Exception {
    OutboundBuffer buffer = new OutboundBuffer(100, 10_000);
    buffer.offer(entry("log"));
    long mark = buffer.mark();
    buffer.offer(entry("log"));
    List<Entry> batch = buffer.take(1, 10_000, Duration.ZERO, Duration.ZERO);
    assertThat(buffer.awaitSettled(mark, Duration.ZERO)).isFalse();
    buffer.settle(batch, Set.of(batch.get(0).id), List.of());
    assertThat(buffer.awaitSettled(mark, Duration.ZERO)).isTrue();
    assertThat(buffer.awaitSettled(Long.MAX_VALUE, Duration.ZERO)).isFalse();
  }

  /**
   * Random offers, takes, acks and failures: every event leaves in offer order however often it is
   * requeued, critical events are never evicted, and the bounds always hold.
   */
  @Test
  void orderAndBoundsHoldUnderRandomTraffic() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String[] types = {"metric", "log", "agent.heartbeat", "tool.called", "llm.call", "task.created", "agent.status"};
    try {
      OutboundBuffer buffer = new OutboundBuffer(50, 5_000);
      List<Entry> offered = new ArrayList<>();
      List<Entry> delivered = new ArrayList<>();
      List<Entry> evicted = new ArrayList<>();
      for (int step = 0; step < 5_000; step++) {
        if (random.nextInt(3) > 0) {
          Entry e = entry(types[random.nextInt(types.length)], 1 + random.nextInt(200));
          OutboundBuffer.Offer offer = buffer.offer(e);
          if (offer.accepted()) {
            offered.add(e);
          }
          evicted.addAll(offer.evicted());
        } else {
          List<Entry> batch = buffer.take(1 + random.nextInt(10), 1 + random.nextInt(2_000), Duration.ZERO,
              Duration.ZERO);
          if (random.nextInt(4) == 0) {
            buffer.requeue(batch);
          } else {
            buffer.settle(batch, Set.copyOf(batch.stream().map(x -> x.id).toList()), List.of());
            delivered.addAll(batch);
          }
        }
        OutboundBuffer.Counts c = buffer.counts();
        assertThat(c.buffered()).isLessThanOrEqualTo(50);
        assertThat(c.bufferedBytes()).isLessThanOrEqualTo(5_000);
      }
      assertThat(evicted).allSatisfy(e -> assertThat(e.priority).isNotEqualTo(Priority.CRITICAL));
      List<Entry> expected = new ArrayList<>(offered);
      expected.removeAll(evicted);
      expected.retainAll(delivered);
      assertThat(delivered).as("delivered in offer order").containsExactlyElementsOf(expected);
    } catch (AssertionError e) {
      throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
    }
  }
}
