package io.agentwatch.core.webhook;

import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where webhooks live: the subscriptions, the queue of deliveries, and the log position up to
 * which events have been matched against the subscriptions.
 *
 * <p>Contract, held by every adapter and checked by {@code WebhookStoreContract}:
 * <ul>
 *   <li><b>Tenants are walls.</b> Every method that takes a tenant sees only that tenant's
 *       webhooks and deliveries; an id of another tenant behaves as unknown.</li>
 *   <li><b>Matching never loses or skips.</b> {@link #enqueue} stores its deliveries and the new
 *       position in one atomic step: after a crash the position covers exactly the events whose
 *       deliveries are stored. Enqueueing a delivery whose id is already stored leaves the stored
 *       one as it is (re-matching after a crash is harmless), and one whose webhook no longer
 *       exists is dropped.</li>
 *   <li><b>Changes do not cross.</b> {@link #update} writes a delivery only if nobody changed it
 *       since it was read (its {@code version} is still the stored one), so an attempt that ends
 *       after a redelivery request or a removal does not undo them. Every change, including
 *       {@link #redeliver}, increases the stored version.</li>
 *   <li><b>Removal is whole.</b> Removing a webhook removes its deliveries in the same step.</li>
 *   <li><b>Stored means kept.</b> What a method stored is there after a restart; deliveries and
 *       the position may be written without waiting for the disk (a power cut may undo the last
 *       of them: matching is then repeated, and an attempt may be repeated, which receivers
 *       dedupe by the delivery id), but subscriptions are durable when the method returns.</li>
 * </ul>
 * Instants are kept to the millisecond. Thread-safe; may block on I/O and throws
 * {@link io.agentwatch.core.log.UnavailableException} when the storage fails.
 */
public interface WebhookStore {

  /** Stores a new subscription. @throws IllegalStateException when its id is taken */
  void add(Webhook webhook);

  Optional<Webhook> find(String tenant, String id);

  /** The tenant's subscriptions, oldest first. */
  List<Webhook> list(String tenant);

  /** How many subscriptions the tenant has. */
  int count(String tenant);

  /** Every enabled subscription of every tenant: what the matcher and the sender work on. */
  List<Webhook> enabled();

  /** Enables or disables a subscription; empty when the tenant has none with that id. */
  Optional<Webhook> setEnabled(String tenant, String id, boolean enabled);

  /** Removes a subscription and its deliveries; false when the tenant has none with that id. */
  boolean remove(String tenant, String id);

  /** How far the log has been matched; empty before the first {@link #enqueue}. */
  Optional<Cursor> position();

  /**
   * Stores {@code deliveries} (those not stored yet, and whose webhook exists) and records
   * {@code position}, atomically. Each stored delivery gets the next {@code seq} and version 0.
   */
  void enqueue(Cursor position, List<Delivery> deliveries);

  /**
   * Up to {@code limit} pending deliveries of one webhook whose next attempt is at or before
   * {@code now}, earliest first (then in {@code seq} order).
   */
  List<Delivery> due(String webhookId, Instant now, int limit);

  /**
   * Writes the state, attempts, next attempt, last status, last error and last attempt of
   * {@code delivery} if the stored one still has {@code delivery.version()}, and increases the
   * stored version; false (nothing written) when it changed or is gone.
   */
  boolean update(Delivery delivery);

  Optional<Delivery> delivery(String tenant, String id);

  /**
   * The deliveries of one webhook of the tenant, newest first: those with a {@code seq} below
   * {@code beforeSeq} (all when null), in {@code state} (any when null), at most {@code limit}.
   */
  List<Delivery> deliveries(String tenant, String webhookId, DeliveryState state, Long beforeSeq, int limit);

  /**
   * Makes a delivery of any state pending again, due at {@code now}, with its attempts counted
   * from zero; empty when the tenant has none with that id.
   */
  Optional<Delivery> redeliver(String tenant, String id, Instant now);

  /** Pending deliveries of every tenant: the queue depth. */
  long pending();

  /** Throws when the store cannot serve; does nothing when it can. */
  void check();
}
