package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Problem;
import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestorTest {

  private final InMemoryEventLog log = new InMemoryEventLog();
  private final CountingMetrics metrics = new CountingMetrics();
  private final Ingestor ingestor = new Ingestor(log, metrics);

  static final class CountingMetrics implements PipelineMetrics {
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger duplicates = new AtomicInteger();
    final AtomicInteger rejected = new AtomicInteger();
    final AtomicLong acks = new AtomicLong();

    @Override
    public void received(int events) {
      received.addAndGet(events);
    }

    @Override
    public void accepted(int events) {
      accepted.addAndGet(events);
    }

    @Override
    public void duplicates(int events) {
      duplicates.addAndGet(events);
    }

    @Override
    public void rejected(int events) {
      rejected.addAndGet(events);
    }

    @Override
    public void acked(long nanos) {
      acks.incrementAndGet();
    }
  }

  @AfterEach
  void close() {
    log.close();
  }

  static String event(String id, String type, String data) {
    return "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",\"agentId\":\"w1\",\"runId\":\"r1\","
        + "\"ts\":\"2026-11-28T16:00:00Z\",\"data\":" + data + "}";
  }

  private IngestResult ingestJson(String tenant, String... events) {
    Batch batch = Batch.ofJson(("[" + String.join(",", events) + "]").getBytes(StandardCharsets.UTF_8));
    return ingestor.ingest(tenant, batch).orTimeout(10, TimeUnit.SECONDS).join();
  }

  private List<String> storedIds(String tenant) {
    return log.read(tenant, log.beginning(), EventFilter.ALL, 1000).stream().map(s -> s.event().id()).toList();
  }

  @Test
  void eachEventGetsItsOwnResultWithItsIndex() {
    IngestResult result = ingestJson("t1",
        event("a", "task.started", "{\"taskId\":\"t1\"}"),
        event("b", "task.started", "{}"),
        event("c", "metric", "{\"name\":\"q\",\"value\":1}"),
        event("a", "task.started", "{\"taskId\":\"t1\"}"),
        "42",
        event("d", "log", "{\"level\":\"info\",\"message\":\"hi\"}"));

    assertThat(result.acceptedIds()).containsExactly("a", "c", "d");
    assertThat(result.duplicateIds()).containsExactly("a");
    assertThat(result.accepted()).isEqualTo(3);
    assertThat(result.duplicates()).isEqualTo(1);
    assertThat(result.rejected()).extracting(IngestResult.Rejection::index).containsExactly(1, 4);
    assertThat(result.rejected()).extracting(IngestResult.Rejection::id).containsExactly("b", null);
    assertThat(result.rejected().get(0).error()).isEqualTo("data.taskId is required");
    assertThat(result.rejected().get(1).error()).isEqualTo("must be a JSON object");
  }

  @Test
  void everyProblemOfARejectedEventIsListed() {
    IngestResult result = ingestJson("t1",
        "{\"id\":\"x\",\"type\":\"task.progress\",\"ts\":\"later\",\"data\":{\"percent\":140}}");

    IngestResult.Rejection rejection = result.rejected().getFirst();
    assertThat(rejection.index()).isZero();
    assertThat(rejection.id()).isEqualTo("x");
    assertThat(rejection.problems()).containsExactlyInAnyOrder(
        new Problem("agentId", "is required"),
        new Problem("ts", "must be an RFC 3339 timestamp like 2026-11-28T16:00:00.123Z but was 'later'"),
        new Problem("data.taskId", "is required"),
        new Problem("data.percent", "must be 0..100 but was 140"));
    assertThat(rejection.error().split("; ")).hasSize(4);
  }

  @Test
  void invalidEventsNeverReachTheLog() {
    ingestJson("t1",
        event("good-1", "task.started", "{\"taskId\":\"t1\"}"),
        event("bad-1", "task.started", "{\"taskId\":7}"),
        event("bad 2", "x.y", "{}"),
        event("good-2", "x.y", "{}"));

    assertThat(storedIds("t1")).containsExactly("good-1", "good-2");
  }

  @Test
  void aBatchWithOnlyInvalidEventsLeavesTheLogUntouched() {
    IngestResult result = ingestJson("t1", event("bad", "task.started", "{}"), "[]");

    assertThat(result.accepted()).isZero();
    assertThat(result.rejected()).hasSize(2);
    assertThat(log.head()).isEqualTo(log.beginning());
  }

  @Test
  void anEventOverOneMegabyteIsRejectedWhileTheOthersGoIn() {
    // The data limit is 100 KB, so the size comes from a field outside data.
    String huge = "{\"id\":\"huge\",\"type\":\"x.y\",\"agentId\":\"w1\",\"ts\":\"2026-11-28T16:00:00Z\","
        + "\"padding\":\"" + "p".repeat(Batch.MAX_EVENT_BYTES) + "\",\"data\":{}}";
    IngestResult result = ingestJson("t1", event("before", "x.y", "{}"), huge, event("after", "x.y", "{}"));

    assertThat(result.acceptedIds()).containsExactly("before", "after");
    IngestResult.Rejection rejection = result.rejected().getFirst();
    assertThat(rejection.index()).isEqualTo(1);
    assertThat(rejection.id()).isEqualTo("huge");
    assertThat(rejection.error()).isEqualTo("event must be at most 1048576 bytes serialized but was "
        + huge.length());
    assertThat(storedIds("t1")).containsExactly("before", "after");
  }

  @Test
  void anEventOfExactlyOneMegabyteIsAccepted() {
    String prefix = "{\"id\":\"big\",\"type\":\"x.y\",\"agentId\":\"w1\",\"ts\":\"2026-11-28T16:00:00Z\",\"padding\":\"";
    String suffix = "\",\"data\":{}}";
    String big = prefix + "p".repeat(Batch.MAX_EVENT_BYTES - prefix.length() - suffix.length()) + suffix;
    assertThat(big).hasSize(Batch.MAX_EVENT_BYTES);

    assertThat(ingestJson("t1", big).acceptedIds()).containsExactly("big");
  }

  @Test
  void aSingleOversizedObjectBodyIsRejected() {
    String huge = "{\"id\":\"huge\",\"type\":\"x.y\",\"agentId\":\"w1\",\"ts\":\"2026-11-28T16:00:00Z\","
        + "\"padding\":\"" + "p".repeat(Batch.MAX_EVENT_BYTES) + "\"}";

    IngestResult result = ingestor.ingest("t1", Batch.ofJson(huge.getBytes(StandardCharsets.UTF_8))).join();
    assertThat(result.rejected()).extracting(IngestResult.Rejection::id).containsExactly("huge");
  }

  @Test
  void anUnparseableNdjsonLineIsRejectedAtItsIndex() {
    String body = event("a", "x.y", "{}") + "\n{broken\n" + event("b", "x.y", "{}") + "\n";
    IngestResult result = ingestor.ingest("t1", Batch.ofNdjson(body.getBytes(StandardCharsets.UTF_8))).join();

    assertThat(result.acceptedIds()).containsExactly("a", "b");
    assertThat(result.rejected()).singleElement().satisfies(r -> {
      assertThat(r.index()).isEqualTo(1);
      assertThat(r.id()).isNull();
      assertThat(r.error()).startsWith("line 2 is not valid JSON");
    });
  }

  @Test
  void aRetriedBatchIsAllDuplicates() {
    String[] batch = {event("a", "x.y", "{}"), event("b", "x.y", "{}")};
    ingestJson("t1", batch);
    IngestResult again = ingestJson("t1", batch);

    assertThat(again.acceptedIds()).isEmpty();
    assertThat(again.duplicateIds()).containsExactly("a", "b");
    assertThat(storedIds("t1")).containsExactly("a", "b");
  }

  @Test
  void theSameIdInAnotherTenantIsANewEvent() {
    ingestJson("t1", event("a", "x.y", "{}"));

    assertThat(ingestJson("t2", event("a", "x.y", "{}")).acceptedIds()).containsExactly("a");
    assertThat(storedIds("t2")).containsExactly("a");
  }

  @Test
  void acceptedEventsAreReadableOnceTheFutureCompletes() {
    IngestResult result = ingestJson("t1", event("a", "task.progress", "{\"taskId\":\"t\",\"percent\":55.5}"));

    assertThat(result.acceptedIds()).containsExactly("a");
    StoredEvent stored = log.read("t1", log.beginning(), EventFilter.ALL, 10).getFirst();
    assertThat(stored.event().data().get("percent").doubleValue()).isEqualTo(55.5);
    assertThat(stored.tenant()).isEqualTo("t1");
  }

  @Test
  void metricsCountEveryOutcome() {
    ingestJson("t1", event("a", "x.y", "{}"), event("a", "x.y", "{}"), event("b", "task.started", "{}"));

    assertThat(metrics.received).hasValue(3);
    assertThat(metrics.accepted).hasValue(1);
    assertThat(metrics.duplicates).hasValue(1);
    assertThat(metrics.rejected).hasValue(1);
    assertThat(metrics.acks).hasValue(1);
  }

  @Test
  void aClosedLogFailsTheFutureAndAcknowledgesNothing() {
    log.close();

    assertThatThrownBy(() -> ingestJson("t1", event("a", "x.y", "{}")))
        .hasRootCauseInstanceOf(UnavailableException.class);
    assertThat(metrics.accepted).hasValue(0);
  }
}
