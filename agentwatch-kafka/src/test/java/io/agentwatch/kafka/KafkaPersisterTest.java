package io.agentwatch.kafka;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.InMemoryIdLedger;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventSink;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaPersisterTest {

  private final List<AutoCloseable> opened = new ArrayList<>();
  private String bootstrap;
  private KafkaLogConfig config;
  private KafkaEventLog log;
  private final InMemoryEventLog history = new InMemoryEventLog();

  @BeforeEach
  void openLog() {
    bootstrap = TestBroker.bootstrap();
    config = TestBroker.config(bootstrap, TestBroker.freshTopic("persist"));
    log = KafkaEventLog.open(config, new InMemoryIdLedger(Clock.systemUTC(), Duration.ofSeconds(30), Duration.ofHours(1)),
        Clock.systemUTC());
    opened.add(log);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  private KafkaPersister persister(EventSink sink) {
    KafkaPersister p = KafkaPersister.start(
        PersisterConfig.history(config).withGroupId("history-" + config.topic()).withBatching(100, Duration.ofMillis(100)),
        sink, Clock.systemUTC());
    opened.add(p);
    return p;
  }

  private void append(String tenant, int from, int to) {
    List<Event> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.add(log(tenant + "-e" + i, "agent-" + (i % 5)).withRunId("run-" + (i % 3)));
    }
    log.append(tenant, events).join();
  }

  private List<String> historyIds(String tenant) {
    return history.read(tenant, history.beginning(), EventFilter.ALL, 10_000).stream().map(e -> e.event().id()).toList();
  }

  private Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
    try (Admin admin = Admin.create(KafkaEventLog.adminProperties(config))) {
      return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
    }
  }

  private static long sum(Map<TopicPartition, OffsetAndMetadata> offsets) {
    return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
  }

  @Test
  void everyEventReachesTheSinkOnceAndTheLagDrainsToZero() throws Exception {
    append("t1", 0, 40);
    append("t2", 0, 20);
    KafkaPersister persister = persister(history);

    await(() -> historyIds("t1").size() == 40 && historyIds("t2").size() == 20);
    await(() -> persister.lag() == 0);
    assertThat(historyIds("t1")).doesNotHaveDuplicates();
    assertThat(persister.written()).isEqualTo(60);
    persister.check();
  }

  @Test
  void offsetsAreCommittedOnlyAfterTheSinksWriteReturned() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventSink slow = events -> {
      writing.countDown();
      awaitLatch(release);
      history.write(events);
    };
    append("t1", 0, 10);
    KafkaPersister persister = persister(slow);
    String group = "history-" + config.topic();

    assertThat(writing.await(20, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(300);
    assertThat(sum(committed(group))).isZero();

    release.countDown();
    await(() -> persister.written() == 10);
    await(() -> sum(committed(group)) >= 10);
    assertThat(historyIds("t1")).hasSize(10);
  }

  @Test
  void aSinkThatIsDownLosesNothingAndTheLagDrainsOnceItIsBack() throws Exception {
    AtomicInteger refusals = new AtomicInteger(5);
    EventSink flaky = events -> {
      if (refusals.getAndDecrement() > 0) {
        throw new UnavailableException("database restarting");
      }
      history.write(events);
    };
    append("t1", 0, 30);
    KafkaPersister persister = persister(flaky);

    await(() -> historyIds("t1").size() == 30);
    assertThat(refusals.get()).isNegative();
    await(() -> persister.lag() == 0);
    persister.check();
  }

  @Test
  void aRestartedPersisterResumesWithoutLossOrDuplicates() throws Exception {
    AtomicInteger handed = new AtomicInteger();
    EventSink counting = events -> {
      handed.addAndGet(events.size());
      history.write(events);
    };
    append("t1", 0, 25);
    KafkaPersister first = persister(counting);
    await(() -> historyIds("t1").size() == 25);
    first.close();

    append("t1", 25, 50);
    persister(counting);

    await(() -> historyIds("t1").size() == 50);
    Thread.sleep(300);
    assertThat(handed).hasValue(50);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("t1-e" + i);
    }
    assertThat(historyIds("t1")).containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void poisonGoesToTheDeadLetterTopicWithItsReasonAndTheRestIsStored() throws Exception {
    Event good = log("good", "w1");
    Event refused = log("refused-by-sink", "w1");
    Event notJson = log("not-json", "w1");
    ProducerRecord<byte[], byte[]> valid = record("t1", good);
    ProducerRecord<byte[], byte[]> noHeaders =
        new ProducerRecord<>(config.topic(), 0, null, "{}".getBytes(StandardCharsets.UTF_8));
    ProducerRecord<byte[], byte[]> garbage = new ProducerRecord<>(config.topic(), 0, null, record("t1", notJson).key(),
        "not json at all".getBytes(StandardCharsets.UTF_8), record("t1", notJson).headers());
    RawTopic.send(bootstrap, List.of(noHeaders, garbage, valid, record("t1", refused)));
    EventSink picky = events -> {
      if (events.stream().anyMatch(e -> e.event().id().equals(refused.id()))) {
        throw new IllegalArgumentException("value too long for column");
      }
      history.write(events);
    };

    KafkaPersister persister = persister(picky);

    await(() -> persister.deadLettered() == 3);
    assertThat(historyIds("t1")).containsExactly("good");
    List<ConsumerRecord<byte[], byte[]>> dead = RawTopic.readAll(bootstrap, config.deadLetterTopic());
    assertThat(dead).hasSize(3);
    assertThat(dead).extracting(r -> header(r, KafkaPersister.REASON)).containsExactly(
        "header aw-tenant is missing",
        "the value is not JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
        "the sink cannot store it: java.lang.IllegalArgumentException: value too long for column");
    assertThat(dead).extracting(r -> header(r, KafkaPersister.SOURCE_OFFSET)).containsExactly("0", "1", "3");
    assertThat(dead.get(1).value()).isEqualTo("not json at all".getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead.get(2), "aw-id")).isEqualTo(refused.id());
    await(() -> persister.lag() == 0);
  }

  @Test
  void aSecondCopyOfAnEventInKafkaIsStoredOnce() throws Exception {
    Event twice = log("twice", "w1");
    RawTopic.send(bootstrap, List.of(record("t1", twice), record("t1", log("other", "w1")), record("t1", twice)));

    KafkaPersister persister = persister(history);

    await(() -> persister.written() == 3);
    assertThat(historyIds("t1")).containsExactly("twice", "other");
  }

  private ProducerRecord<byte[], byte[]> record(String tenant, Event e) {
    ProducerRecord<byte[], byte[]> r = Records.record(config.topic(), tenant, e, EventCodec.encodeEnvelope(e),
        Instant.parse("2026-11-28T16:00:01Z"));
    // One partition, so the records keep the order the test sends them in.
    return new ProducerRecord<>(r.topic(), 0, r.timestamp(), r.key(), r.value(), r.headers());
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(ThrowingCondition condition) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 30 s");
      }
      Thread.sleep(20);
    }
  }

  private interface ThrowingCondition {
    boolean holds() throws Exception;
  }
}
