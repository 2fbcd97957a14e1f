package io.agentwatch.core.webhook;

import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookMatcherTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final InMemoryEventLog log = new InMemoryEventLog();
  private final InMemoryWebhookStore store = new InMemoryWebhookStore();
  private final WebhookService service = new WebhookService(store, log, new AddressPolicy(true), Clock.systemUTC());
  private final List<WebhookMatcher> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(WebhookMatcher::close);
    log.close();
  }

  private WebhookMatcher start(WebhookStore on, Runnable onEnqueued) {
    WebhookMatcher m = new WebhookMatcher(log, on, Clock.systemUTC(), onEnqueued).start();
    service.onChange(m::webhooksChanged);
    started.add(m);
    return m;
  }

  private Webhook create(String tenant, List<String> types) {
    return service.create(tenant, "http://127.0.0.1:9/hook", null, types, true).webhook();
  }

  private void append(String tenant, Event... events) {
    log.append(tenant, List.of(events)).join();
  }

  private List<String> delivered(Webhook w) {
    return store.deliveries(w.tenant(), w.id(), null, null, 1000).reversed().stream().map(Delivery::eventId).toList();
  }

  private static void awaitMatched(WebhookMatcher m, Cursor head) throws InterruptedException {
    assertThat(m.awaitMatched(head, WAIT)).as("matched up to " + head).isTrue();
  }

  @Test
  void everyMatchingEventOfAWebhooksTenantBecomesOneDeliveryInLogOrder() throws Exception {
    AtomicInteger told = new AtomicInteger();
    WebhookMatcher matcher = start(store, told::incrementAndGet);
    Webhook alerts = create("t1", null);
    Webhook failures = create("t1", List.of("task.failed"));
    Webhook otherTenant = create("t2", List.of("*"));

    append("t1", event("a1", "alert.raised", "w1", "r1"), event("x1", "task.started", "w1", "r1"),
        event("f1", "task.failed", "w1", "r1"), event("a2", "alert.resolved", "w2", "r1"));
    append("t2", event("b1", "log.line", "w1", "r1"));
    append("t3", event("c1", "alert.raised", "w1", "r1"));
    awaitMatched(matcher, log.head());

    assertThat(delivered(alerts)).containsExactly("a1", "a2");
    assertThat(delivered(failures)).containsExactly("f1");
    assertThat(delivered(otherTenant)).containsExactly("b1");
    Delivery first = store.delivery("t1", Delivery.idFor(alerts.id(), "a1")).orElseThrow();
    assertThat(first.body()).contains("\"id\":\"a1\"").contains("\"tenant\":\"t1\"").contains("\"cursor\":");
    assertThat(first.eventType()).isEqualTo("alert.raised");
    assertThat(told.get()).isPositive();
  }

  @Test
  void eventsAppendedBeforeAWebhookWasCreatedOrWhileItWasOffAreNotDelivered() throws Exception {
    WebhookMatcher matcher = start(store, () -> {});
    append("t1", event("before", "alert.raised", "w1", "r1"));
    Webhook w = create("t1", null);
    append("t1", event("on", "alert.raised", "w1", "r1"));
    awaitMatched(matcher, log.head());
    service.setEnabled("t1", w.id(), false);
    append("t1", event("off", "alert.raised", "w1", "r1"));
    awaitMatched(matcher, log.head());
    service.setEnabled("t1", w.id(), true);
    append("t1", event("again", "alert.raised", "w1", "r1"));
    awaitMatched(matcher, log.head());

    assertThat(delivered(w)).containsExactly("on", "again");
  }

  @Test
  void aStoppedMatcherResumesWhereItStoppedAndMatchesWhatWasAppendedMeanwhile() throws Exception {
    Webhook w = create("t1", List.of("*"));
    WebhookMatcher first = start(store, () -> {});
    append("t1", event("e1", "alert.raised", "w1", "r1"));
    awaitMatched(first, log.head());
    first.close();
    append("t1", event("e2", "alert.raised", "w1", "r1"), event("e3", "log.line", "w1", "r1"));

    assertThat(store.position()).as("saved on close").contains(first.position());
    WebhookMatcher second = start(store, () -> {});
    awaitMatched(second, log.head());

    assertThat(delivered(w)).containsExactly("e1", "e2", "e3");
  }

  /**
   * Seeded: {@code -Dagentwatch.seed=<seed>} replays the same failures. Whatever enqueue calls
   * fail, and wherever the matcher is restarted, every matching event ends up as exactly one
   * delivery and the saved position never runs ahead of the stored deliveries.
   */
  @Test
  void failingStoresAndRestartsNeitherLoseNorDuplicateMatches() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    Webhook w = create("t1", List.of("alert.*"));
    FlakyStore flaky = new FlakyStore(store, new Random(random.nextLong()));
    Set<String> expected = new HashSet<>();
    int n = 0;
    for (int round = 0; round < 4; round++) {
      WebhookMatcher m = start(flaky, () -> {});
      for (int batch = 0; batch < 10; batch++) {
        List<Event> events = new ArrayList<>();
        for (int i = random.nextInt(20); i >= 0; i--) {
          String id = "e" + n++;
          boolean alert = random.nextBoolean();
          events.add(event(id, alert ? "alert.raised" : "log.line", "w" + random.nextInt(3), "r1"));
          if (alert) {
            expected.add(id);
          }
        }
        log.append("t1", events).join();
      }
      if (random.nextBoolean()) {
        awaitMatched(m, log.head());
      }
      m.close();
      Cursor saved = store.position().orElse(log.beginning());
      List<String> stored = delivered(w);
      assertThat(stored).as("seed=%d round=%d: no duplicates", seed, round).doesNotHaveDuplicates();
      assertThat(stored).as("seed=%d round=%d: exactly the alerts the saved position covers", seed, round)
          .containsExactlyInAnyOrderElementsOf(expected.stream().filter(id -> isCovered(saved, id)).toList());
    }
    flaky.failing = false;
    WebhookMatcher last = start(flaky, () -> {});
    awaitMatched(last, log.head());
    assertThat(delivered(w)).as("seed=%d", seed).containsExactlyInAnyOrderElementsOf(expected);
  }

  private boolean isCovered(Cursor saved, String eventId) {
    return io.agentwatch.core.state.Folds.readAll(log).stream()
        .filter(e -> e.event().id().equals(eventId))
        .anyMatch(e -> saved.covers(e.partition(), e.offset()));
  }

  /** Fails about a third of all enqueue calls, before changing anything. */
  private static final class FlakyStore implements WebhookStore {
    private final WebhookStore inner;
    private final Random random;
    volatile boolean failing = true;

    FlakyStore(WebhookStore inner, Random random) {
      this.inner = inner;
      this.random = random;
    }

    @Override
    public void enqueue(Cursor position, List<Delivery> deliveries) {
      synchronized (random) {
        if (failing && random.nextInt(3) == 0) {
          throw new UnavailableException("injected failure");
        }
      }
      inner.enqueue(position, deliveries);
    }

    @Override public void add(Webhook webhook) { inner.add(webhook); }
    @Override public java.util.Optional<Webhook> find(String t, String id) { return inner.find(t, id); }
    @Override public List<Webhook> list(String t) { return inner.list(t); }
    @Override public int count(String t) { return inner.count(t); }
    @Override public List<Webhook> enabled() { return inner.enabled(); }
    @Override public java.util.Optional<Webhook> setEnabled(String t, String id, boolean on) {
      return inner.setEnabled(t, id, on);
    }
    @Override public boolean remove(String t, String id) { return inner.remove(t, id); }
    @Override public java.util.Optional<Cursor> position() { return inner.position(); }
    @Override public List<Delivery> due(String id, Instant now, int limit) { return inner.due(id, now, limit); }
    @Override public boolean update(Delivery d) { return inner.update(d); }
    @Override public java.util.Optional<Delivery> delivery(String t, String id) { return inner.delivery(t, id); }
    @Override public List<Delivery> deliveries(String t, String w, DeliveryState s, Long b, int l) {
      return inner.deliveries(t, w, s, b, l);
    }
    @Override public java.util.Optional<Delivery> redeliver(String t, String id, Instant now) {
      return inner.redeliver(t, id, now);
    }
    @Override public long pending() { return inner.pending(); }
    @Override public void check() {}
  }
}
