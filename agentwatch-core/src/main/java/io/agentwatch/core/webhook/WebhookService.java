package io.agentwatch.core.webhook;

import io.agentwatch.core.log.EventLog;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a tenant's admin does with webhooks: create (with the URL's address checked and a secret
 * made when none is given), list, switch on and off, remove, look at deliveries and redeliver.
 * Every call is confined to one tenant. Listeners hear of every change to the subscriptions and
 * of every redelivery, so matching and sending take them up at once.
 */
public final class WebhookService {

  /** Subscriptions one tenant may have. */
  public static final int MAX_PER_TENANT = 100;
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

  private final WebhookStore store;
  private final EventLog log;
  private final AddressPolicy addresses;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  /**
   * A webhook as created; {@code generatedSecret} is true when the server made the secret, which
   * is then shown to the client only this once.
   */
  public record Created(Webhook webhook, boolean generatedSecret) {}

  public WebhookService(WebhookStore store, EventLog log, AddressPolicy addresses, Clock clock) {
    this.store = store;
    this.log = log;
    this.addresses = addresses;
    this.clock = clock;
  }

  /** Runs {@code listener} after every change to subscriptions and every redelivery. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * Creates a subscription. Null {@code types} (or none) means {@link Webhook#DEFAULT_TYPES},
   * null {@code secret} a generated one, null {@code enabled} true.
   *
   * @throws IllegalArgumentException  when the URL, secret or types are malformed, or the tenant has too many
   * @throws RefusedAddressException when the URL's host does not resolve or is not allowed
   */
  public Created create(String tenant, String url, String secret, List<String> types, Boolean enabled) {
    URI parsed = Webhook.parseUrl(url);
    boolean generate = secret == null;
    if (!generate) {
      WebhookSecret.key(secret);
    }
    List<String> patterns = types == null || types.isEmpty() ? Webhook.DEFAULT_TYPES : types;
    if (store.count(tenant) >= MAX_PER_TENANT) {
      throw new IllegalArgumentException("a tenant may have at most " + MAX_PER_TENANT
          + " webhooks; remove one first");
    }
    // Checked last: it may wait for DNS, and a malformed request should not.
    Webhook webhook = new Webhook(newId(), tenant, parsed, generate ? WebhookSecret.generate(random) : secret,
        patterns, enabled == null || enabled, clock.instant(), log.head());
    addresses.check(parsed);
    store.add(webhook);
    changed();
    return new Created(webhook, generate);
  }

  public List<Webhook> list(String tenant) {
    return store.list(tenant);
  }

  public Optional<Webhook> find(String tenant, String id) {
    return store.find(tenant, id);
  }

  public Optional<Webhook> setEnabled(String tenant, String id, boolean enabled) {
    Optional<Webhook> changed = store.setEnabled(tenant, id, enabled);
    changed.ifPresent(w -> changed());
    return changed;
  }

  /** Removes a subscription and its deliveries; false when the tenant has none with that id. */
  public boolean remove(String tenant, String id) {
    boolean removed = store.remove(tenant, id);
    if (removed) {
      changed();
    }
    return removed;
  }

  /** A page of a webhook's deliveries, newest first; empty when the tenant has no such webhook. */
  public Optional<List<Delivery>> deliveries(String tenant, String webhookId, DeliveryState state, Long beforeSeq,
      int limit) {
    return store.find(tenant, webhookId).map(w -> store.deliveries(tenant, webhookId, state, beforeSeq, limit));
  }

  public Optional<Delivery> delivery(String tenant, String webhookId, String deliveryId) {
    return store.delivery(tenant, deliveryId).filter(d -> d.webhookId().equals(webhookId));
  }

  /** Makes a delivery of any state pending and due now, its attempts counted afresh. */
  public Optional<Delivery> redeliver(String tenant, String webhookId, String deliveryId) {
    if (delivery(tenant, webhookId, deliveryId).isEmpty()) {
      return Optional.empty();
    }
    Optional<Delivery> again = store.redeliver(tenant, deliveryId, clock.instant());
    again.ifPresent(d -> changed());
    return again;
  }

  private void changed() {
    listeners.forEach(Runnable::run);
  }

  private String newId() {
    StringBuilder sb = new StringBuilder("wh_");
    for (int i = 0; i < 16; i++) {
      sb.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
    }
    return sb.toString();
  }
}
