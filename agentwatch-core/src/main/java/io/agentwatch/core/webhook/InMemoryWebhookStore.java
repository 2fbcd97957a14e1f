package io.agentwatch.core.webhook;

import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link WebhookStore} in memory, for tests and for trying things out; one lock guards all. */
public final class InMemoryWebhookStore implements WebhookStore {

  private final Map<String, Webhook> webhooks = new LinkedHashMap<>();
  private final LinkedHashMap<String, Delivery> deliveries = new LinkedHashMap<>();
  private Cursor position;
  private long lastSeq;

  @Override
  public synchronized void add(Webhook webhook) {
    if (webhooks.putIfAbsent(webhook.id(), webhook) != null) {
      throw new IllegalStateException("webhook id " + webhook.id() + " exists");
    }
  }

  @Override
  public synchronized Optional<Webhook> find(String tenant, String id) {
    return Optional.ofNullable(webhooks.get(id)).filter(w -> w.tenant().equals(tenant));
  }

  @Override
  public synchronized List<Webhook> list(String tenant) {
    return webhooks.values().stream().filter(w -> w.tenant().equals(tenant))
        .sorted(Comparator.comparing(Webhook::created).thenComparing(Webhook::id)).toList();
  }

  @Override
  public synchronized int count(String tenant) {
    return (int) webhooks.values().stream().filter(w -> w.tenant().equals(tenant)).count();
  }

  @Override
  public synchronized List<Webhook> enabled() {
    return webhooks.values().stream().filter(Webhook::enabled).toList();
  }

  @Override
  public synchronized Optional<Webhook> setEnabled(String tenant, String id, boolean enabled) {
    return find(tenant, id).map(w -> {
      Webhook changed = w.withEnabled(enabled);
      webhooks.put(id, changed);
      return changed;
    });
  }

  @Override
  public synchronized boolean remove(String tenant, String id) {
    if (find(tenant, id).isEmpty()) {
      return false;
    }
    webhooks.remove(id);
    deliveries.values().removeIf(d -> d.webhookId().equals(id));
    return true;
  }

  @Override
  public synchronized Optional<Cursor> position() {
    return Optional.ofNullable(position);
  }

  @Override
  public synchronized void enqueue(Cursor at, List<Delivery> batch) {
    for (Delivery d : batch) {
      if (!deliveries.containsKey(d.id()) && webhooks.containsKey(d.webhookId())) {
        deliveries.put(d.id(), withSeqAndVersion(d, ++lastSeq, 0));
      }
    }
    position = at;
  }

  @Override
  public synchronized List<Delivery> due(String webhookId, Instant now, int limit) {
    return deliveries.values().stream()
        .filter(d -> d.webhookId().equals(webhookId) && d.state() == DeliveryState.PENDING
            && !d.nextAttempt().isAfter(now))
        .sorted(Comparator.comparing(Delivery::nextAttempt).thenComparingLong(Delivery::seq))
        .limit(limit).toList();
  }

  @Override
  public synchronized boolean update(Delivery delivery) {
    Delivery stored = deliveries.get(delivery.id());
    if (stored == null || stored.version() != delivery.version()) {
      return false;
    }
    deliveries.put(delivery.id(), new Delivery(stored.id(), stored.seq(), stored.tenant(), stored.webhookId(),
        stored.eventId(), stored.eventType(), stored.body(), delivery.state(), delivery.attempts(),
        delivery.nextAttempt(), delivery.lastStatus(), delivery.lastError(), delivery.lastAttempt(), stored.created(),
        stored.version() + 1));
    return true;
  }

  @Override
  public synchronized Optional<Delivery> delivery(String tenant, String id) {
    return Optional.ofNullable(deliveries.get(id)).filter(d -> d.tenant().equals(tenant));
  }

  @Override
  public synchronized List<Delivery> deliveries(String tenant, String webhookId, DeliveryState state, Long beforeSeq,
      int limit) {
    List<Delivery> out = new ArrayList<>();
    for (Delivery d : deliveries.sequencedValues().reversed()) {
      if (out.size() == limit) {
        break;
      }
      if (d.tenant().equals(tenant) && d.webhookId().equals(webhookId) && (state == null || d.state() == state)
          && (beforeSeq == null || d.seq() < beforeSeq)) {
        out.add(d);
      }
    }
    return out;
  }

  @Override
  public synchronized Optional<Delivery> redeliver(String tenant, String id, Instant now) {
    return delivery(tenant, id).map(d -> {
      Delivery again = new Delivery(d.id(), d.seq(), d.tenant(), d.webhookId(), d.eventId(), d.eventType(), d.body(),
          DeliveryState.PENDING, 0, now, d.lastStatus(), d.lastError(), d.lastAttempt(), d.created(), d.version() + 1);
      deliveries.put(id, again);
      return again;
    });
  }

  @Override
  public synchronized long pending() {
    return deliveries.values().stream().filter(d -> d.state() == DeliveryState.PENDING).count();
  }

  @Override
  public void check() {}

  private static Delivery withSeqAndVersion(Delivery d, long seq, long version) {
    return new Delivery(d.id(), seq, d.tenant(), d.webhookId(), d.eventId(), d.eventType(), d.body(), d.state(),
        d.attempts(), d.nextAttempt(), d.lastStatus(), d.lastError(), d.lastAttempt(), d.created(), version);
  }
}
