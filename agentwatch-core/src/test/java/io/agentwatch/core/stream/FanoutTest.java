package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.T0;
import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.TestEvents.log;
import static io.agentwatch.core.stream.StreamFixture.assertNothingMore;
import static io.agentwatch.core.stream.StreamFixture.ids;
import static io.agentwatch.core.stream.StreamFixture.items;
import io.agentwatch.core.stream.StreamFixture.Subscriber;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanoutTest {

  private static final Duration SHORT = Duration.ofMillis(50);

  private StreamFixture fx;

  private StreamFixture start(int queueCapacity) {
    fx = new StreamFixture(queueCapacity);
    return fx;
  }

  @AfterEach
  void close() throws Exception {
    if (fx != null) {
      fx.close();
    }
  }

  private static List<Event> logs(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> log("e" + i, "w" + (i % 3))).toList();
  }

  private static List<String> names(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "e" + i).toList();
  }

  private static boolean isMetricLike(StoredEvent e) {
    return e.event().type().equals("metric") || e.event().type().equals("agent.heartbeat");
  }

  private static Event metric(String id, String agent, String name) {
    return new Event(id, "metric", agent, "r1", T0, null, null,
        EventCodec.JSON.createObjectNode().put("name", name).put("value", id.length()));
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(0, 100_000);
    }
    assertThat(list).hasSizeGreaterThanOrEqualTo(size);
  }

  @Test
  void replayFromACursorInTheMiddleThenLiveYieldsEveryLaterEventOnceInOrder() throws Exception {
    StreamFixture fx = start(Fanout.DEFAULT_QUEUE_CAPACITY);
    List<StoredEvent> before = new ArrayList<>();
    for (int i = 0; i < 1200; i += 100) {
      before.addAll(fx.append("t1", logs(i, i + 100)));
    }
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, before.get(199).cursor());

    // Appends race with the replay (more than two replay pages) and the switch to live.
    CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
      for (int i = 1200; i < 2200; i += 10) {
        fx.append("t1", logs(i, i + 10));
        Thread.yield();
      }
    });
    List<StoredEvent> got = items(s, 2000);
    producer.get(30, TimeUnit.SECONDS);

    assertThat(ids(got)).containsExactlyElementsOf(names(200, 2200));
    assertNothingMore(s, SHORT);
    assertThat(s.position()).isEqualTo(got.getLast().cursor());
  }

  @Test
  void aLiveQueueThatOverflowsDuringReplayCostsNothing() throws Exception {
    StreamFixture fx = start(16);
    List<StoredEvent> before = fx.append("t1", logs(0, 600));
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, before.get(99).cursor());
    List<StoredEvent> got = new ArrayList<>(items(s, 10));

    fx.append("t1", logs(600, 1000));
    fx.awaitFannedOut();
    got.addAll(items(s, 890));
    fx.append("t1", logs(1000, 1005));
    got.addAll(items(s, 5));

    assertThat(ids(got)).containsExactlyElementsOf(names(100, 1005));
    assertNothingMore(s, SHORT);
    assertThat(fx.metrics.gaps).hasValue(0);
  }

  @Test
  void lateNotificationsOfEventsAlreadyReplayedNeverMakeACaughtUpReaderLookSlow() throws Exception {
    StreamFixture fx = start(4);
    CountDownLatch release = new CountDownLatch(1);
    // Holds the log's notifier, so the fan-out hears of these events only after they were replayed.
    try (AutoCloseable ignored = fx.log.tail(batch -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    })) {
      for (int i = 0; i < 20; i++) {
        fx.append("t1", logs(i, i + 1));
      }
      Subscriber s = fx.subscribe("t1", EventFilter.ALL, fx.log.beginning());
      assertThat(ids(items(s, 20))).containsExactlyElementsOf(names(0, 20));
      assertNothingMore(s, SHORT);

      release.countDown();
      fx.awaitFannedOut();

      assertNothingMore(s, SHORT);
      fx.append("t1", logs(20, 22));
      assertThat(ids(items(s, 2))).containsExactly("e20", "e21");
      assertThat(fx.metrics.gaps).hasValue(0);
    }
  }

  @Test
  void aLiveOnlySubscriptionSeesOnlyNewEvents() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 5));
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, null);
    fx.append("t1", logs(5, 8));

    assertThat(ids(items(s, 3))).containsExactly("e5", "e6", "e7");
    assertNothingMore(s, SHORT);
  }

  @Test
  void aSubscriptionFromTheHeadReplaysNothingAndGoesLive() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 5));
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, fx.log.head());
    assertNothingMore(s, SHORT);
    fx.append("t1", logs(5, 6));

    assertThat(ids(items(s, 1))).containsExactly("e5");
  }

  @Test
  void aSubscriptionFromTheBeginningReplaysEverything() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 5));
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, fx.log.beginning());
    fx.append("t1", logs(5, 7));

    assertThat(ids(items(s, 7))).containsExactlyElementsOf(names(0, 7));
  }

  @Test
  void tenantsNeverSeeEachOthersEvents() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t2", log("x0", "w1"));
    Subscriber live1 = fx.subscribe("t1", EventFilter.ALL, null);
    Subscriber live2 = fx.subscribe("t2", EventFilter.ALL, null);
    fx.append("t1", log("a", "w1"));
    fx.append("t2", log("b", "w1"), log("a", "w1"));
    fx.append("t1", log("c", "w1"));

    assertThat(ids(items(live1, 2))).containsExactly("a", "c");
    assertThat(ids(items(live2, 2))).containsExactly("b", "a");
    assertThat(live1.tenant()).isEqualTo("t1");
    assertNothingMore(live1, SHORT);
    assertNothingMore(live2, SHORT);

    Subscriber replay2 = fx.subscribe("t2", EventFilter.ALL, fx.log.beginning());
    assertThat(ids(items(replay2, 3))).containsExactly("x0", "b", "a");
    assertNothingMore(replay2, SHORT);
    assertThat(fx.subscribe("t3", EventFilter.ALL, fx.log.beginning()).next(SHORT)).isNull();
  }

  @Test
  void filtersApplyToReplayAndToLive() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1",
        event("1", "task.created", "m", "r1"),
        event("2", "task.started", "w1", "r2"),
        event("3", "agent.heartbeat", "w1", "r1"),
        event("4", "task.started", "w1", "r1"));
    EventFilter filter = new EventFilter("r1", null, List.of("task.*"));
    Subscriber s = fx.subscribe("t1", filter, fx.log.beginning());
    fx.append("t1",
        event("5", "task.completed", "w1", "r1"),
        event("6", "tool.called", "w1", "r1"),
        event("7", "task.completed", "w1", "r2"),
        event("8", "taskforce.x", "w1", "r1"),
        event("9", "task.failed", "w2", "r1"));

    assertThat(ids(items(s, 4))).containsExactly("1", "4", "5", "9");
    assertNothingMore(s, SHORT);
    assertThat(s.filter()).isEqualTo(filter);
  }

  @Test
  void aSlowSubscriberCatchesUpFromTheLogWhileAFastOneGetsEverything() throws Exception {
    StreamFixture fx = start(8);
    Subscriber slow = fx.subscribe("t1", EventFilter.ALL, null, 4, false);
    Subscriber fast = fx.subscribe("t1", EventFilter.ALL, null);
    int total = 300;
    List<StoredEvent> fastGot = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> fastReader = CompletableFuture.runAsync(() -> {
      try {
        while (fastGot.size() < total) {
          fastGot.addAll(items(fast, 1));
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });

    List<StoredEvent> appended = new ArrayList<>();
    for (int i = 0; i < total; i += 5) {
      // A fast reader keeps up: each batch is read before the next is sent; the slow one reads nothing.
      awaitSize(fastGot, appended.size());
      List<Event> batch = new ArrayList<>();
      for (int j = i; j < i + 5; j++) {
        batch.add(switch (j % 5) {
          case 0 -> event("e" + j, "agent.heartbeat", "w1", "r1");
          case 1 -> metric("e" + j, "w1", "cpu");
          case 2 -> metric("e" + j, "w1", "mem");
          case 3 -> event("e" + j, "task.started", "w1", "r1");
          default -> log("e" + j, "w2");
        });
      }
      appended.addAll(fx.append("t1", batch));
    }
    fx.awaitFannedOut();
    fastReader.get(30, TimeUnit.SECONDS);
    assertThat(ids(fastGot)).containsExactlyElementsOf(ids(appended));
    assertThat(slow.recorder().unread()).as("the slow client's connection holds a bounded amount").isLessThan(20);
    assertThat(fx.metrics.fellBehind).hasPositiveValue();

    // Now it reads: every event, in order, no gap, no conflation (it did not ask for any).
    List<StoredEvent> slowGot = items(slow, total);
    assertThat(ids(slowGot)).containsExactlyElementsOf(ids(appended));
    assertThat(slow.position()).isEqualTo(appended.getLast().cursor());
    assertThat(slow.isOpen()).isTrue();
    assertThat(fx.metrics.gaps).hasValue(0);
    assertThat(fx.metrics.conflated).hasValue(0);

    // And it is live again.
    fx.append("t1", logs(1000, 1003));
    assertThat(ids(items(slow, 3))).containsExactly("e1000", "e1001", "e1002");
    assertNothingMore(slow, SHORT);
  }

  @Test
  void withConflationMetricLikeEventsConflateSoASubscriberBehindSeesTheLatestOfEachSeries() throws Exception {
    StreamFixture fx = start(4);
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, null, 1, true);
    s.recorder().pause();
    List<StoredEvent> appended = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      appended.addAll(fx.append("t1", metric("m" + i, "w1", "cpu"), event("h" + i, "agent.heartbeat", "w1", "r1")));
    }
    fx.awaitFannedOut();
    s.recorder().resume();

    List<StoredEvent> got = items(s, 2);
    assertThat(ids(got)).as("only the latest of each series").containsExactly("m39", "h39");
    assertNothingMore(s, SHORT);
    assertThat(fx.metrics.conflated).hasValue(78);
  }

  @Test
  void aCursorOfAnotherStoreYieldsAResetToTheHeadThenLiveEvents() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 3));
    Cursor foreign;
    try (InMemoryEventLog other = new InMemoryEventLog()) {
      foreign = other.append("t1", logs(0, 10)).join().get(9).stored().cursor();
    }
    Cursor head = fx.log.head();

    Subscriber s = fx.subscribe("t1", EventFilter.ALL, foreign);
    assertThat(s.next(SHORT)).isEqualTo(new Delivery.Reset(head));
    fx.append("t1", logs(3, 5));

    assertThat(ids(items(s, 2))).containsExactly("e3", "e4");
    assertNothingMore(s, SHORT);
  }

  @Test
  void endingSendsAGapResumingAfterWhatTheConnectionWasGiven() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 5));
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, fx.log.beginning());
    List<StoredEvent> got = items(s, 5);

    s.end(GapReason.SHUTDOWN);

    assertThat(s.next(SHORT)).isEqualTo(new Delivery.Gap(got.getLast().cursor(), GapReason.SHUTDOWN));
    assertThat(s.isOpen()).isFalse();
    assertThat(s.next(SHORT)).isNull();
    assertThat(fx.fanout.subscribers()).isZero();
    assertThat(fx.metrics.gaps).hasValue(1);

    fx.append("t1", logs(5, 7));
    Subscriber resumed = fx.subscribe("t1", EventFilter.ALL, got.getLast().cursor());
    assertThat(ids(items(resumed, 2))).containsExactly("e5", "e6");
  }

  @Test
  void endingASubscriptionWaitingForItsReaderResumesFromWhatItWasGiven() throws Exception {
    StreamFixture fx = start(64);
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, null);
    Cursor start = s.position();
    s.recorder().pause();
    fx.append("t1", logs(0, 5));
    fx.awaitFannedOut();

    s.end(GapReason.REVOKED);

    Delivery d = s.next(SHORT);
    assertThat(d).isEqualTo(new Delivery.Gap(start, GapReason.REVOKED));
    Subscriber resumed = fx.subscribe("t1", EventFilter.ALL, ((Delivery.Gap) d).resumeFrom());
    assertThat(ids(items(resumed, 5))).containsExactly("e0", "e1", "e2", "e3", "e4");
  }

  @Test
  void endingAnIdleSubscriptionSendsItsGapAtOnce() throws Exception {
    StreamFixture fx = start(64);
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, null);
    Cursor start = s.position();

    s.end(GapReason.SHUTDOWN);

    assertThat(s.recorder().poll()).isEqualTo(new Delivery.Gap(start, GapReason.SHUTDOWN));
  }

  @Test
  void endingASubscriptionWhoseReaderStoppedStillSendsItsGap() throws Exception {
    StreamFixture fx = start(4);
    Subscriber s = fx.subscribe("t1", EventFilter.ALL, null, 2, false);
    Cursor start = s.position();
    fx.append("t1", logs(0, 50));
    fx.awaitFannedOut();

    s.end(GapReason.REVOKED);

    List<StoredEvent> got = new ArrayList<>();
    Delivery d;
    while ((d = s.next(SHORT)) instanceof Delivery.Item item) {
      got.add(item.event());
    }
    assertThat(d).isEqualTo(new Delivery.Gap(got.isEmpty() ? start : got.getLast().cursor(), GapReason.REVOKED));
    assertThat(s.isOpen()).isFalse();
  }

  @Test
  void closingTheFanoutEndsEverySubscriptionWithShutdown() throws Exception {
    StreamFixture fx = start(64);
    fx.append("t1", logs(0, 3));
    Subscriber replaying = fx.subscribe("t1", EventFilter.ALL, fx.log.beginning());
    Subscriber live = fx.subscribe("t2", EventFilter.ALL, null);
    Cursor liveStart = live.position();
    StoredEvent first = items(replaying, 1).getFirst();

    fx.fanout.close();

    List<StoredEvent> rest = new ArrayList<>();
    Delivery d;
    while ((d = replaying.next(SHORT)) instanceof Delivery.Item item) {
      rest.add(item.event());
    }
    assertThat(d).isEqualTo(new Delivery.Gap(rest.isEmpty() ? first.cursor() : rest.getLast().cursor(),
        GapReason.SHUTDOWN));
    assertThat(live.next(SHORT)).isEqualTo(new Delivery.Gap(liveStart, GapReason.SHUTDOWN));
    assertThat(fx.fanout.subscribers()).isZero();
  }

  @Test
  void aClosedSubscriptionLeavesTheFanout() throws Exception {
    StreamFixture fx = start(64);
    Subscriber a = fx.subscribe("t1", EventFilter.ALL, null);
    Subscriber b = fx.subscribe("t1", EventFilter.ALL, null);
    assertThat(fx.fanout.subscribers()).isEqualTo(2);

    a.close();
    b.recorder().pause();
    fx.append("t1", logs(0, 3));
    fx.awaitFannedOut();

    assertThat(fx.fanout.subscribers()).isEqualTo(1);
    assertThat(fx.fanout.queued()).as("waiting for b's connection").isEqualTo(3);
    assertThat(a.recorder().unread()).isZero();
    b.recorder().resume();
    assertThat(ids(items(b, 3))).containsExactly("e0", "e1", "e2");
    assertThat(fx.fanout.queued()).isZero();
  }

  @Test
  void manySubscribersEachGetEveryEvent() throws Exception {
    StreamFixture fx = start(2048);
    List<Subscriber> subs = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 20; i++) {
      subs.add(fx.subscribe("t1", EventFilter.ALL, null));
    }
    for (int i = 0; i < 1000; i += 50) {
      fx.append("t1", logs(i, i + 50));
    }
    for (Subscriber s : subs) {
      assertThat(ids(items(s, 1000))).containsExactlyElementsOf(names(0, 1000));
    }
  }
}
