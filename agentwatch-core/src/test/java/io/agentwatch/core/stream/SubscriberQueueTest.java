package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.TestEvents;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class SubscriberQueueTest {

  private long nextOffset;

  private StoredEvent stored(Event e) {
    long offset = nextOffset++;
    return StoredEvent.appended("t1", e, EventCodec.encodeEnvelope(e), 0, offset, Cursor.at("s", offset), T0);
  }

  private StoredEvent task(String agent) {
    return stored(TestEvents.event("task-" + nextOffset, "task.started", agent, "r1"));
  }

  private StoredEvent heartbeat(String agent, String run) {
    return stored(TestEvents.event("hb-" + nextOffset, "agent.heartbeat", agent, run));
  }

  private StoredEvent metric(String agent, String run, String name) {
    ObjectNode data = EventCodec.JSON.createObjectNode().put("name", name).put("value", nextOffset);
    return stored(new Event("m-" + nextOffset, "metric", agent, run, T0, null, null, data));
  }

  private static List<Long> drain(SubscriberQueue q) throws InterruptedException {
    List<Long> offsets = new ArrayList<>();
    StoredEvent e;
    while ((e = q.poll(0, TimeUnit.MILLISECONDS)) != null) {
      offsets.add(e.offset());
    }
    return offsets;
  }

  @Test
  void eventsComeOutInTheOrderTheyWentIn() throws Exception {
    SubscriberQueue q = new SubscriberQueue(10);
    for (int i = 0; i < 5; i++) {
      assertThat(q.offer(task("w1"))).isEqualTo(SubscriberQueue.Offer.QUEUED);
    }

    assertThat(q.size()).isEqualTo(5);
    assertThat(drain(q)).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(q.size()).isZero();
  }

  @Test
  void aHeartbeatReplacesTheQueuedOneOfItsAgentAndMovesToTheTail() throws Exception {
    SubscriberQueue q = new SubscriberQueue(10);
    q.offer(heartbeat("w1", "r1"));
    q.offer(task("w1"));
    q.offer(heartbeat("w2", "r1"));

    assertThat(q.offer(heartbeat("w1", "r1"))).isEqualTo(SubscriberQueue.Offer.CONFLATED);
    assertThat(drain(q)).as("log order: the replacement is the newest").containsExactly(1L, 2L, 3L);
  }

  @Test
  void metricsConflatePerAgentRunAndSeries() throws Exception {
    SubscriberQueue q = new SubscriberQueue(20);
    q.offer(metric("w1", "r1", "cpu"));   // 0, replaced by 5
    q.offer(metric("w1", "r1", "mem"));   // 1
    q.offer(metric("w2", "r1", "cpu"));   // 2
    q.offer(metric("w1", "r2", "cpu"));   // 3
    q.offer(metric("w1", null, "cpu"));   // 4, replaced by 6
    assertThat(q.offer(metric("w1", "r1", "cpu"))).isEqualTo(SubscriberQueue.Offer.CONFLATED);
    assertThat(q.offer(metric("w1", null, "cpu"))).isEqualTo(SubscriberQueue.Offer.CONFLATED);
    assertThat(q.offer(heartbeat("w1", "r1"))).as("a heartbeat is another series")
        .isEqualTo(SubscriberQueue.Offer.QUEUED);

    assertThat(drain(q)).containsExactly(1L, 2L, 3L, 5L, 6L, 7L);
  }

  @Test
  void aMetricWithoutATextNameIsNeverConflated() throws Exception {
    SubscriberQueue q = new SubscriberQueue(10);
    ObjectNode data = EventCodec.JSON.createObjectNode().put("name", 7).put("value", 1);
    q.offer(stored(new Event("a", "metric", "w1", "r1", T0, null, null, data)));

    assertThat(q.offer(stored(new Event("b", "metric", "w1", "r1", T0, null, null, data.deepCopy()))))
        .isEqualTo(SubscriberQueue.Offer.QUEUED);
    assertThat(drain(q)).containsExactly(0L, 1L);
  }

  @Test
  void conflationNeedsNoFreeRoom() throws Exception {
    SubscriberQueue q = new SubscriberQueue(2);
    q.offer(metric("w1", "r1", "cpu"));
    q.offer(task("w1"));

    assertThat(q.offer(metric("w1", "r1", "cpu"))).isEqualTo(SubscriberQueue.Offer.CONFLATED);
    assertThat(q.overflowed()).isFalse();
    assertThat(drain(q)).containsExactly(1L, 2L);
  }

  @Test
  void aNonMetricEventIntoAFullQueueOverflowsIt() {
    SubscriberQueue q = new SubscriberQueue(2);
    q.offer(task("w1"));
    q.offer(task("w1"));

    assertThat(q.offer(task("w1"))).isEqualTo(SubscriberQueue.Offer.DROPPED);
    assertThat(q.overflowed()).isTrue();
  }

  @Test
  void aMetricOfANewSeriesIntoAFullQueueOverflowsIt() {
    SubscriberQueue q = new SubscriberQueue(1);
    q.offer(metric("w1", "r1", "cpu"));

    assertThat(q.offer(metric("w1", "r1", "mem"))).isEqualTo(SubscriberQueue.Offer.DROPPED);
    assertThat(q.overflowed()).isTrue();
  }

  @Test
  void onceOverflowedEverythingIsDroppedEvenWhatWouldConflate() throws Exception {
    SubscriberQueue q = new SubscriberQueue(2);
    q.offer(metric("w1", "r1", "cpu"));
    q.offer(task("w1"));
    q.offer(task("w1"));

    assertThat(q.offer(metric("w1", "r1", "cpu"))).isEqualTo(SubscriberQueue.Offer.DROPPED);
    q.poll(0, TimeUnit.MILLISECONDS);
    assertThat(q.offer(task("w1"))).as("room again, but still overflowed").isEqualTo(SubscriberQueue.Offer.DROPPED);
    assertThat(drain(q)).as("what was queued before the overflow is kept").containsExactly(1L);
  }

  @Test
  void pollReturnsNullAtOnceWhenEmptyAndOverflowed() throws Exception {
    SubscriberQueue q = new SubscriberQueue(1);
    q.offer(task("w1"));
    q.offer(task("w1"));
    assertThat(q.poll(0, TimeUnit.MILLISECONDS).offset()).isZero();

    long started = System.nanoTime();
    assertThat(q.poll(10, TimeUnit.SECONDS)).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void pollWaitsForTheTimeoutWhenEmpty() throws Exception {
    SubscriberQueue q = new SubscriberQueue(1);
    long started = System.nanoTime();

    assertThat(q.poll(50, TimeUnit.MILLISECONDS)).isNull();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(45));
  }

  @Test
  void aWaitingPollWakesForAnOfferedEvent() throws Exception {
    SubscriberQueue q = new SubscriberQueue(4);
    CompletableFuture<StoredEvent> polled = CompletableFuture.supplyAsync(() -> {
      try {
        return q.poll(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(20);
    StoredEvent offered = task("w1");
    q.offer(offered);

    assertThat(polled.get(5, TimeUnit.SECONDS)).isSameAs(offered);
  }

  @Test
  void resetClearsTheItemsAndTheOverflow() throws Exception {
    SubscriberQueue q = new SubscriberQueue(2);
    q.offer(task("w1"));
    q.offer(task("w1"));
    q.offer(task("w1"));
    q.reset();

    assertThat(q.overflowed()).isFalse();
    assertThat(q.size()).isZero();
    assertThat(q.offer(task("w1"))).isEqualTo(SubscriberQueue.Offer.QUEUED);
    assertThat(drain(q)).containsExactly(3L);
  }

  @Test
  void removeCoveredDropsOnlyWhatThePositionCovers() throws Exception {
    SubscriberQueue q = new SubscriberQueue(10);
    for (int i = 0; i < 6; i++) {
      q.offer(task("w1"));
    }
    q.removeCovered(Cursor.at("s", 3));

    assertThat(drain(q)).containsExactly(4L, 5L);
  }

  @Test
  void closeWakesTheConsumerAndRefusesEvents() throws Exception {
    SubscriberQueue q = new SubscriberQueue(2);
    CompletableFuture<StoredEvent> polled = CompletableFuture.supplyAsync(() -> {
      try {
        return q.poll(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Thread.sleep(20);
    q.close();

    assertThat(polled.get(5, TimeUnit.SECONDS)).isNull();
    assertThat(q.offer(task("w1"))).isEqualTo(SubscriberQueue.Offer.DROPPED);
    assertThat(q.size()).isZero();
  }

  @Test
  void aQueueNeedsRoomForOneEvent() {
    assertThatThrownBy(() -> new SubscriberQueue(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("capacity must be >= 1 but was 0");
  }
}
