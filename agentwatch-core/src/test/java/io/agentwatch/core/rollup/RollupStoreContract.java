package io.agentwatch.core.rollup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@link RollupStore} contract. Each adapter binds it by implementing {@link #newStore()};
 * every test gets a fresh, empty store.
 */
public abstract class RollupStoreContract {

  protected static final Instant T = Instant.parse("2026-11-28T16:00:00Z");

  protected RollupStore store;
  private int ids;

  protected abstract RollupStore newStore() throws Exception;

  /** Releases what {@link #newStore()} opened; nothing by default. */
  protected void closeStore() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    store = newStore();
  }

  @AfterEach
  void close() throws Exception {
    closeStore();
  }

  protected Event event(String type, String agent, String run, Instant ts, String... fields) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < fields.length; i += 2) {
      String value = fields[i + 1];
      if (value.matches("-?[0-9]+(\\.[0-9]+)?")) {
        data.put(fields[i], Double.parseDouble(value));
        if (!value.contains(".")) {
          data.put(fields[i], Long.parseLong(value));
        }
      } else {
        data.put(fields[i], value);
      }
    }
    return new Event("e" + ids++, type, agent, run, ts, null, null, data);
  }

  private List<RollupPoint> minutes(String tenant, String run, String agent) {
    return store.query(tenant, new RollupQuery(run, agent, Bucket.MINUTE, T.minusSeconds(3600), T.plusSeconds(3600)));
  }

  @Test
  void eventsAreCountedInTheBucketOfTheirProducerTime() {
    store.add("t1", List.of(
        event("log", "w1", "r1", T.plusSeconds(5), "level", "info", "message", "a"),
        event("log", "w1", "r1", T.plusSeconds(59), "level", "error", "message", "b"),
        event("log", "w1", "r1", T.plusSeconds(60), "level", "info", "message", "c")));

    List<RollupPoint> points = minutes("t1", null, null);
    assertThat(points).extracting(RollupPoint::start).containsExactly(T, T.plusSeconds(60));
    assertThat(points).extracting(RollupPoint::events).containsExactly(2L, 1L);
    assertThat(points).extracting(RollupPoint::errors).containsExactly(1L, 0L);
    List<RollupPoint> hours = store.query("t1", new RollupQuery(null, null, Bucket.HOUR, T, T.plusSeconds(3600)));
    assertThat(hours).singleElement().satisfies(h -> {
      assertThat(h.start()).isEqualTo(T);
      assertThat(h.events()).isEqualTo(3);
    });
  }

  @Test
  void tokensCostAndErrorsAreSummedPerBucket() {
    store.add("t1", List.of(
        event("llm.call", "w1", "r1", T, "model", "m", "inputTokens", "100", "outputTokens", "20", "costUsd", "0.25"),
        event("llm.call", "w2", "r1", T.plusSeconds(1), "model", "m", "inputTokens", "5", "outputTokens", "1"),
        event("error.occurred", "w1", "r1", T.plusSeconds(2), "message", "boom"),
        event("tool.result", "w1", "r1", T.plusSeconds(3), "tool", "x", "error", "timeout"),
        event("tool.result", "w1", "r1", T.plusSeconds(4), "tool", "x", "durationMs", "5")));
    store.add("t1", List.of(
        event("llm.call", "w1", "r1", T.plusSeconds(5), "model", "m", "inputTokens", "1", "outputTokens", "2",
            "costUsd", "0.5")));

    RollupPoint p = minutes("t1", null, null).getFirst();
    assertThat(p.events()).isEqualTo(6);
    assertThat(p.errors()).isEqualTo(2);
    assertThat(p.llmCalls()).isEqualTo(3);
    assertThat(p.inputTokens()).isEqualTo(106);
    assertThat(p.outputTokens()).isEqualTo(23);
    assertThat(p.costUsd()).isCloseTo(0.75, within(1e-9));
  }

  @Test
  void eventsTheServerWritesItselfAreNotCounted() {
    store.add("t1", List.of(
        event("log", "w1", "r1", T, "level", "info", "message", "a"),
        event("alert.raised", "agentwatch", "r1", T, "detector", "stuck_task"),
        event("command.issued", "w1", "r1", T, "type", "pause"),
        event("run.edited", "w1", "r1", T, "name", "x")));

    assertThat(minutes("t1", null, null)).extracting(RollupPoint::events).containsExactly(1L);
  }

  @Test
  void runAndAgentNarrowTheSums() {
    store.add("t1", List.of(
        event("log", "w1", "r1", T, "level", "info", "message", "a"),
        event("log", "w2", "r1", T, "level", "info", "message", "a"),
        event("log", "w1", "r2", T, "level", "info", "message", "a"),
        event("log", "w1", null, T, "level", "info", "message", "a")));

    assertThat(minutes("t1", null, null).getFirst().events()).isEqualTo(4);
    assertThat(minutes("t1", "r1", null).getFirst().events()).isEqualTo(2);
    assertThat(minutes("t1", null, "w1").getFirst().events()).isEqualTo(3);
    assertThat(minutes("t1", "r2", "w1").getFirst().events()).isEqualTo(1);
    assertThat(minutes("t1", "r2", "w2")).isEmpty();
  }

  @Test
  void tenantsNeverSeeEachOthersNumbers() {
    store.add("t1", List.of(event("log", "w1", "r1", T, "level", "info", "message", "a")));
    store.add("t2", List.of(event("log", "w1", "r1", T, "level", "info", "message", "a"),
        event("log", "w1", "r1", T, "level", "info", "message", "a")));

    assertThat(minutes("t1", null, null).getFirst().events()).isEqualTo(1);
    assertThat(minutes("t2", null, null).getFirst().events()).isEqualTo(2);
    assertThat(minutes("t3", null, null)).isEmpty();
  }

  @Test
  void onlyBucketsStartingInsideTheRangeAreReturned() {
    store.add("t1", List.of(
        event("log", "w1", "r1", T.minusSeconds(1), "level", "info", "message", "a"),
        event("log", "w1", "r1", T, "level", "info", "message", "a"),
        event("log", "w1", "r1", T.plusSeconds(120), "level", "info", "message", "a")));

    List<RollupPoint> points = store.query("t1", new RollupQuery(null, null, Bucket.MINUTE, T, T.plusSeconds(120)));
    assertThat(points).extracting(RollupPoint::start).containsExactly(T);
  }

  @Test
  void taskDurationsGivePercentilesInTheBucketWhereTheTaskEnded() {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      events.add(event("task.started", "w1", "r1", T, "taskId", "k" + i));
      events.add(event(i == 9 ? "task.failed" : "task.completed", "w1", "r1", T.plusMillis(1000L * (i + 1)),
          "taskId", "k" + i, "error", "x"));
    }
    events.add(event("task.started", "w1", "r1", T, "taskId", "open"));
    store.add("t1", events);

    RollupPoint p = minutes("t1", null, null).getFirst();
    assertThat(p.tasksStarted()).isEqualTo(11);
    assertThat(p.tasksCompleted()).isEqualTo(9);
    assertThat(p.tasksFailed()).isEqualTo(1);
    assertThat(p.tasksTimed()).isEqualTo(10);
    assertThat(p.errors()).isEqualTo(1);
    // Durations 1..10 s: percentile_cont(0.5) = 5.5 s, percentile_cont(0.95) = 9.55 s.
    assertThat(p.taskP50Ms()).isCloseTo(5500.0, within(1e-6));
    assertThat(p.taskP95Ms()).isCloseTo(9550.0, within(1e-6));
  }

  @Test
  void aTaskWhoseEventsArriveInAnyOrderAndInSeparateCallsHasTheSameDuration() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Event> events = new ArrayList<>(List.of(
        event("task.started", "w1", "r1", T.plusSeconds(2), "taskId", "k"),
        event("task.started", "w1", "r1", T, "taskId", "k"),
        event("task.failed", "w2", "r1", T.plusSeconds(3), "taskId", "k", "error", "x"),
        event("task.completed", "w3", "r1", T.plusSeconds(4), "taskId", "k")));
    Collections.shuffle(events, random);
    int split = random.nextInt(events.size() + 1);
    store.add("t1", events.subList(0, split));
    store.add("t1", events.subList(split, events.size()));

    RollupPoint p = minutes("t1", null, null).getFirst();
    assertThat(p.taskP50Ms()).as("seed %d", seed).isEqualTo(4000.0);
    assertThat(minutes("t1", null, "w3").getFirst().taskP50Ms()).as("seed %d", seed).isEqualTo(4000.0);
    assertThat(minutes("t1", null, "w2").getFirst().taskP50Ms()).as("seed %d", seed).isNull();
  }

  @Test
  void bucketsWithoutEndedTasksHaveNoPercentiles() {
    store.add("t1", List.of(event("task.started", "w1", "r1", T, "taskId", "k")));

    RollupPoint p = minutes("t1", null, null).getFirst();
    assertThat(p.tasksTimed()).isZero();
    assertThat(p.taskP50Ms()).isNull();
    assertThat(p.taskP95Ms()).isNull();
  }

  @Test
  void aHealthyStorePassesItsCheck() {
    store.check();
  }
}
