package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Cursor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookServiceTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  private final InMemoryEventLog log = new InMemoryEventLog();
  private final InMemoryWebhookStore store = new InMemoryWebhookStore();
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final WebhookService service = new WebhookService(store, log, new AddressPolicy(true), clock);

  @AfterEach
  void close() {
    log.close();
  }

  @Test
  void aWebhookWithoutTypesSecretOrSwitchGetsAlertsAGeneratedSecretAndIsOn() {
    AtomicInteger told = new AtomicInteger();
    service.onChange(told::incrementAndGet);

    WebhookService.Created created = service.create("t1", "http://127.0.0.1:9/in", null, null, null);

    Webhook w = created.webhook();
    assertThat(created.generatedSecret()).isTrue();
    assertThat(w.id()).matches("wh_[A-Za-z0-9]{16}");
    assertThat(w.types()).containsExactly("alert.*");
    assertThat(w.enabled()).isTrue();
    assertThat(w.created()).isEqualTo(NOW);
    assertThat(w.after()).isEqualTo(log.head());
    assertThat(WebhookSecret.key(w.secret())).hasSize(32);
    assertThat(service.list("t1")).containsExactly(w);
    assertThat(told.get()).isEqualTo(1);
  }

  @Test
  void aGivenSecretAndFilterAreKept() {
    WebhookService.Created created = service.create("t1", "https://127.0.0.1/in", SECRET, List.of("task.failed"),
        false);

    assertThat(created.generatedSecret()).isFalse();
    assertThat(created.webhook().secret()).isEqualTo(SECRET);
    assertThat(created.webhook().types()).containsExactly("task.failed");
    assertThat(created.webhook().enabled()).isFalse();
  }

  @Test
  void badRequestsAndRefusedAddressesStoreNothing() {
    WebhookService strict = new WebhookService(store, log, new AddressPolicy(false), clock);

    assertThatThrownBy(() -> strict.create("t1", "http://127.0.0.1:9/hook", null, null, true))
        .isInstanceOf(RefusedAddressException.class).hasMessageContaining("loopback");
    assertThatThrownBy(() -> service.create("t1", "gopher://x/", null, null, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> service.create("t1", "http://127.0.0.1/", "whsec_c2hvcnQ=", null, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decodes to");
    assertThatThrownBy(() -> service.create("t1", "http://127.0.0.1/", null, List.of("BAD"), true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'BAD'");
    assertThat(store.list("t1")).isEmpty();
  }

  @Test
  void aTenantMayHaveAHundredWebhooks() {
    for (int i = 0; i < WebhookService.MAX_PER_TENANT; i++) {
      service.create("t1", "http://127.0.0.1/" + i, null, null, true);
    }

    assertThatThrownBy(() -> service.create("t1", "http://127.0.0.1/x", null, null, true))
        .hasMessageContaining("at most 100 webhooks");
    assertThat(service.create("t2", "http://127.0.0.1/x", null, null, true)).isNotNull();
  }

  @Test
  void anotherTenantsWebhooksAndDeliveriesAreUnknown() {
    Webhook w = service.create("t1", "http://127.0.0.1/in", null, null, true).webhook();
    Webhook sibling = service.create("t1", "http://127.0.0.1/other", null, null, true).webhook();
    Delivery d = new Delivery(Delivery.idFor(w.id(), "e1"), 0, "t1", w.id(), "e1", "alert.raised", "{}",
        DeliveryState.PENDING, 0, NOW, null, null, null, NOW, 0);
    store.enqueue(Cursor.at("s", 0), List.of(d));

    assertThat(service.find("t2", w.id())).isEmpty();
    assertThat(service.deliveries("t2", w.id(), null, null, 10)).isEmpty();
    assertThat(service.delivery("t2", w.id(), d.id())).isEmpty();
    assertThat(service.redeliver("t2", w.id(), d.id())).isEmpty();
    assertThat(service.setEnabled("t2", w.id(), false)).isEmpty();
    assertThat(service.remove("t2", w.id())).isFalse();
    assertThat(service.delivery("t1", sibling.id(), d.id())).as("under the wrong webhook").isEmpty();
    assertThat(service.redeliver("t1", sibling.id(), d.id())).isEmpty();

    assertThat(service.deliveries("t1", w.id(), null, null, 10).orElseThrow()).hasSize(1);
    assertThat(service.redeliver("t1", w.id(), d.id()).orElseThrow().nextAttempt()).isEqualTo(NOW);
    assertThat(service.remove("t1", w.id())).isTrue();
    assertThat(service.deliveries("t1", w.id(), null, null, 10)).isEmpty();
  }
}
