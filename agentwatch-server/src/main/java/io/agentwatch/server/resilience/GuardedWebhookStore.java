package io.agentwatch.server.resilience;

import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.DeliveryState;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A {@link WebhookStore} behind its backend's circuit breaker; reads are retried, writes are not. */
public final class GuardedWebhookStore implements WebhookStore {

  private final WebhookStore store;
  private final BackendGuard guard;

  public GuardedWebhookStore(WebhookStore store, BackendGuard guard) {
    this.store = store;
    this.guard = guard;
  }

  @Override
  public void add(Webhook webhook) {
    guard.write(() -> store.add(webhook));
  }

  @Override
  public Optional<Webhook> find(String tenant, String id) {
    return guard.read(() -> store.find(tenant, id));
  }

  @Override
  public List<Webhook> list(String tenant) {
    return guard.read(() -> store.list(tenant));
  }

  @Override
  public int count(String tenant) {
    return guard.read(() -> store.count(tenant));
  }

  @Override
  public List<Webhook> enabled() {
    return guard.read(store::enabled);
  }

  @Override
  public Optional<Webhook> setEnabled(String tenant, String id, boolean enabled) {
    return guard.write(() -> store.setEnabled(tenant, id, enabled));
  }

  @Override
  public boolean remove(String tenant, String id) {
    return guard.write(() -> store.remove(tenant, id));
  }

  @Override
  public Optional<Cursor> position() {
    return guard.read(store::position);
  }

  @Override
  public void enqueue(Cursor position, List<Delivery> deliveries) {
    guard.write(() -> store.enqueue(position, deliveries));
  }

  @Override
  public List<Delivery> due(String webhookId, Instant now, int limit) {
    return guard.read(() -> store.due(webhookId, now, limit));
  }

  @Override
  public boolean update(Delivery delivery) {
    return guard.write(() -> store.update(delivery));
  }

  @Override
  public Optional<Delivery> delivery(String tenant, String id) {
    return guard.read(() -> store.delivery(tenant, id));
  }

  @Override
  public List<Delivery> deliveries(String tenant, String webhookId, DeliveryState state, Long beforeSeq, int limit) {
    return guard.read(() -> store.deliveries(tenant, webhookId, state, beforeSeq, limit));
  }

  @Override
  public Optional<Delivery> redeliver(String tenant, String id, Instant now) {
    return guard.write(() -> store.redeliver(tenant, id, now));
  }

  @Override
  public long pending() {
    return guard.read(store::pending);
  }

  @Override
  public void check() {
    guard.check(store::check);
  }
}
