package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.model.Cursor;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link WebhookStore} contract. Each adapter binds it by implementing {@link #newStore()};
 * every test gets a fresh, empty store.
 */
public abstract class WebhookStoreContract {

  protected static final String STORE = "contract1";
  protected static final Instant T = Instant.parse("2026-11-28T16:00:00.123Z");
  protected static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  protected WebhookStore store;
  private int ids;

  /** A new, empty store. */
  protected abstract WebhookStore newStore() throws Exception;

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

  protected Webhook webhook(String tenant, boolean enabled) {
    String id = String.format("wh_contractwh%06d", ++ids);
    return new Webhook(id, tenant, URI.create("https://hooks.example.com/" + id), SECRET,
        List.of("alert.*", "task.failed"), enabled, T.plusSeconds(ids), Cursor.at(STORE, 41));
  }

  protected static Delivery delivery(Webhook w, String eventId, Instant due) {
    return new Delivery(Delivery.idFor(w.id(), eventId), 0, w.tenant(), w.id(), eventId, "alert.raised",
        "{\"id\":\"" + eventId + "\",\"data\":{\"note\":\"é ✓ \\\"quoted\\\"\"}}", DeliveryState.PENDING, 0, due,
        null, null, null, T, 0);
  }

  private Webhook added(String tenant) {
    Webhook w = webhook(tenant, true);
    store.add(w);
    return w;
  }

  private Delivery stored(Delivery d) {
    return store.delivery(d.tenant(), d.id()).orElseThrow();
  }

  @Test
  void aNewStoreHasNoWebhooksNoDeliveriesAndNoPosition() {
    assertThat(store.list("t1")).isEmpty();
    assertThat(store.enabled()).isEmpty();
    assertThat(store.position()).isEmpty();
    assertThat(store.pending()).isZero();
    store.check();
  }

  @Test
  void webhooksComeBackAsAddedAndOnlyToTheirTenant() {
    Webhook first = added("t1");
    Webhook second = webhook("t1", false);
    store.add(second);
    Webhook other = added("t2");

    assertThat(store.list("t1")).containsExactly(first, second);
    assertThat(store.count("t1")).isEqualTo(2);
    assertThat(store.find("t1", first.id())).contains(first);
    assertThat(store.find("t2", first.id())).as("another tenant's id is unknown").isEmpty();
    assertThat(store.list("t2")).containsExactly(other);
    assertThat(store.enabled()).containsExactlyInAnyOrder(first, other);
  }

  @Test
  void aTakenIdIsRefused() {
    Webhook w = added("t1");

    assertThatThrownBy(() -> store.add(w)).isInstanceOf(IllegalStateException.class).hasMessageContaining(w.id());
  }

  @Test
  void switchingAWebhookOffAndOnChangesWhatIsEnabled() {
    Webhook w = added("t1");

    assertThat(store.setEnabled("t2", w.id(), false)).as("another tenant's").isEmpty();
    assertThat(store.setEnabled("t1", w.id(), false)).contains(w.withEnabled(false));
    assertThat(store.enabled()).isEmpty();
    assertThat(store.setEnabled("t1", w.id(), true)).contains(w);
    assertThat(store.enabled()).containsExactly(w);
  }

  @Test
  void enqueuedDeliveriesAndThePositionAreStoredTogether() {
    Webhook w = added("t1");
    Delivery a = delivery(w, "e1", T);
    Delivery b = delivery(w, "e2", T.plusMillis(5));

    store.enqueue(Cursor.at(STORE, 7), List.of(a, b));

    assertThat(store.position()).contains(Cursor.at(STORE, 7));
    Delivery storedA = stored(a);
    Delivery storedB = stored(b);
    assertThat(storedA).usingRecursiveComparison().ignoringFields("seq").isEqualTo(a);
    assertThat(storedB.body()).isEqualTo(b.body());
    assertThat(storedA.seq()).isPositive();
    assertThat(storedB.seq()).isGreaterThan(storedA.seq());
    assertThat(store.pending()).isEqualTo(2);

    store.enqueue(Cursor.at(STORE, 9), List.of());
    assertThat(store.position()).contains(Cursor.at(STORE, 9));
  }

  @Test
  void enqueueingAStoredDeliveryAgainLeavesItAsItIs() {
    Webhook w = added("t1");
    Delivery d = delivery(w, "e1", T);
    store.enqueue(Cursor.at(STORE, 1), List.of(d));
    assertThat(store.update(stored(d).delivered(204, T.plusSeconds(1)))).isTrue();

    store.enqueue(Cursor.at(STORE, 1), List.of(d, delivery(w, "e2", T)));

    assertThat(stored(d).state()).isEqualTo(DeliveryState.DELIVERED);
    assertThat(store.deliveries("t1", w.id(), null, null, 10)).hasSize(2);
  }

  @Test
  void removingAWebhookRemovesItsDeliveriesAndLaterOnesAreDropped() {
    Webhook gone = added("t1");
    Webhook kept = added("t1");
    store.enqueue(Cursor.at(STORE, 1), List.of(delivery(gone, "e1", T), delivery(kept, "e1", T)));

    assertThat(store.remove("t2", gone.id())).as("another tenant's").isFalse();
    assertThat(store.remove("t1", gone.id())).isTrue();
    assertThat(store.remove("t1", gone.id())).isFalse();
    store.enqueue(Cursor.at(STORE, 2), List.of(delivery(gone, "e2", T)));

    assertThat(store.find("t1", gone.id())).isEmpty();
    assertThat(store.delivery("t1", Delivery.idFor(gone.id(), "e1"))).isEmpty();
    assertThat(store.delivery("t1", Delivery.idFor(gone.id(), "e2"))).isEmpty();
    assertThat(store.pending()).isEqualTo(1);
    assertThat(store.position()).contains(Cursor.at(STORE, 2));
  }

  @Test
  void dueDeliveriesAreThePendingOnesOfOneWebhookWhoseTimeHasComeEarliestFirst() {
    Webhook w = added("t1");
    Webhook other = added("t1");
    Delivery late = delivery(w, "late", T.plusSeconds(2));
    Delivery early = delivery(w, "early", T.minusSeconds(3));
    Delivery now = delivery(w, "now", T);
    Delivery future = delivery(w, "future", T.plusSeconds(60));
    Delivery done = delivery(w, "done", T.minusSeconds(9));
    store.enqueue(Cursor.at(STORE, 1), List.of(late, early, now, future, done, delivery(other, "x", T)));
    store.update(stored(done).delivered(200, T));

    assertThat(store.due(w.id(), T.plusSeconds(2), 10)).extracting(Delivery::eventId)
        .containsExactly("early", "now", "late");
    assertThat(store.due(w.id(), T.plusSeconds(2), 2)).extracting(Delivery::eventId).containsExactly("early", "now");
    assertThat(store.due(w.id(), T.minusSeconds(10), 10)).isEmpty();
  }

  @Test
  void anUpdateWritesOnlyOverTheVersionItWasMadeFrom() {
    Webhook w = added("t1");
    Delivery d = delivery(w, "e1", T);
    store.enqueue(Cursor.at(STORE, 1), List.of(d));
    Delivery read = stored(d);

    Delivery failed = read.failed(503, "answered 503", T.plusSeconds(1), T.plusSeconds(6));
    assertThat(store.update(failed)).isTrue();
    assertThat(store.update(read.delivered(200, T.plusSeconds(2)))).as("made from a stale read").isFalse();

    Delivery now = stored(d);
    assertThat(now.version()).isGreaterThan(read.version());
    assertThat(now).usingRecursiveComparison().ignoringFields("version").isEqualTo(failed);
  }

  @Test
  void anAttemptThatEndsAfterARedeliveryDoesNotUndoIt() {
    Webhook w = added("t1");
    Delivery d = delivery(w, "e1", T);
    store.enqueue(Cursor.at(STORE, 1), List.of(d));
    Delivery inFlight = stored(d);

    Delivery again = store.redeliver("t1", d.id(), T.plusSeconds(1)).orElseThrow();

    assertThat(store.update(inFlight.failed(500, "answered 500", T.plusSeconds(2), T.plusSeconds(60)))).isFalse();
    assertThat(stored(d)).isEqualTo(again);
  }

  @Test
  void aDeadDeliveryIsRedeliveredAsPendingNowWithItsAttemptsCountedAfresh() {
    Webhook w = added("t1");
    Delivery d = delivery(w, "e1", T);
    store.enqueue(Cursor.at(STORE, 1), List.of(d));
    store.update(stored(d).failed(null, "no answer within 10 s", T.plusSeconds(1), null));
    assertThat(stored(d).state()).isEqualTo(DeliveryState.DEAD);
    assertThat(store.pending()).isZero();

    assertThat(store.redeliver("t2", d.id(), T.plusSeconds(5))).as("another tenant's").isEmpty();
    Delivery again = store.redeliver("t1", d.id(), T.plusSeconds(5)).orElseThrow();

    assertThat(again.state()).isEqualTo(DeliveryState.PENDING);
    assertThat(again.attempts()).isZero();
    assertThat(again.nextAttempt()).isEqualTo(T.plusSeconds(5));
    assertThat(again.lastError()).isEqualTo("no answer within 10 s");
    assertThat(stored(d)).isEqualTo(again);
    assertThat(store.due(w.id(), T.plusSeconds(5), 10)).containsExactly(again);
    assertThat(store.pending()).isEqualTo(1);
  }

  @Test
  void deliveriesAreListedNewestFirstByStateAndPage() {
    Webhook w = added("t1");
    List<Delivery> all = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      all.add(delivery(w, "e" + i, T));
    }
    store.enqueue(Cursor.at(STORE, 1), all);
    store.update(stored(all.get(2)).failed(410, "answered 410", T, null));
    store.update(stored(all.get(5)).failed(410, "answered 410", T, null));

    List<Delivery> firstPage = store.deliveries("t1", w.id(), null, null, 4);
    assertThat(firstPage).extracting(Delivery::eventId).containsExactly("e6", "e5", "e4", "e3");
    assertThat(store.deliveries("t1", w.id(), null, firstPage.getLast().seq(), 4)).extracting(Delivery::eventId)
        .containsExactly("e2", "e1", "e0");
    assertThat(store.deliveries("t1", w.id(), DeliveryState.DEAD, null, 10)).extracting(Delivery::eventId)
        .containsExactly("e5", "e2");
    assertThat(store.deliveries("t2", w.id(), null, null, 10)).as("another tenant's").isEmpty();
    assertThat(store.delivery("t2", all.get(0).id())).isEmpty();
  }

  @Test
  void concurrentUpdatesOfDifferentDeliveriesAreAllKept() {
    Webhook w = added("t1");
    List<Delivery> all = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      all.add(delivery(w, "e" + i, T));
    }
    store.enqueue(Cursor.at(STORE, 1), all);

    List<CompletableFuture<Boolean>> updates = all.stream()
        .map(d -> CompletableFuture.supplyAsync(() -> store.update(stored(d).delivered(200, T.plusSeconds(1)))))
        .toList();

    assertThat(updates).allSatisfy(u -> assertThat(u.join()).isTrue());
    assertThat(store.pending()).isZero();
    assertThat(store.deliveries("t1", w.id(), DeliveryState.DELIVERED, null, 100)).hasSize(40);
  }
}
