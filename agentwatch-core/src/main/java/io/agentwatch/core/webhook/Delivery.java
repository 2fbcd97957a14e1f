package io.agentwatch.core.webhook;

import io.agentwatch.core.Digests;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One event to be POSTed to one webhook, with where its attempts stand.
 *
 * <p>The id is derived from the webhook and the event ({@link #idFor}), so matching the same
 * event twice (after a crash) makes the same delivery, and it is sent as {@code webhook-id} on
 * every attempt, so receivers can drop repeats. Instants are kept to the millisecond, as stores
 * keep them.
 *
 * @param id          {@code msg_} and 32 hex digits
 * @param seq         the store's order of deliveries (0 before it is stored)
 * @param tenant      the webhook's and the event's tenant
 * @param webhookId   the subscription it goes to
 * @param eventId     the event's producer-made id
 * @param eventType   the event's type
 * @param body        the POST body: the stored event as JSON, fixed when the delivery is made
 * @param state       pending, delivered or dead
 * @param attempts    requests made (or refused before sending) so far
 * @param nextAttempt when a pending delivery is due; null otherwise
 * @param lastStatus  the HTTP status of the last answer, null when none came
 * @param lastError   why the last attempt failed, null when it succeeded or none was made
 * @param lastAttempt when the last attempt was made, null before the first
 * @param created     when the event was matched
 * @param version     the store's count of changes, for {@link WebhookStore#update} to detect races
 */
public record Delivery(
    String id, long seq, String tenant, String webhookId, String eventId, String eventType, String body,
    DeliveryState state, int attempts, Instant nextAttempt, Integer lastStatus, String lastError,
    Instant lastAttempt, Instant created, long version) {

  public static final int MAX_ERROR_LENGTH = 500;

  public Delivery {
    if (id == null || !id.matches("msg_[0-9a-f]{32}")) {
      throw new IllegalArgumentException("delivery id must be msg_ and 32 hex digits but was " + id);
    }
    Objects.requireNonNull(tenant, "tenant");
    Objects.requireNonNull(webhookId, "webhookId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(eventType, "eventType");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(created, "created");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts must be >= 0 but was " + attempts);
    }
    if ((state == DeliveryState.PENDING) != (nextAttempt != null)) {
      throw new IllegalArgumentException("a delivery has a next attempt exactly when it is pending, but it is "
          + state.label() + " with next attempt " + nextAttempt);
    }
    if (lastError != null && lastError.length() > MAX_ERROR_LENGTH) {
      lastError = lastError.substring(0, MAX_ERROR_LENGTH - 1) + "…";
    }
    nextAttempt = millis(nextAttempt);
    lastAttempt = millis(lastAttempt);
    created = millis(created);
  }

  /** The id of the delivery of {@code eventId} to {@code webhookId}: the same for the same pair. */
  public static String idFor(String webhookId, String eventId) {
    return "msg_" + Digests.sha256Hex(webhookId + "/" + eventId).substring(0, 32);
  }

  /** A new delivery of {@code event} to {@code webhook}, due at once. */
  public static Delivery of(Webhook webhook, StoredEvent event, Instant now) {
    return new Delivery(idFor(webhook.id(), event.event().id()), 0, webhook.tenant(), webhook.id(),
        event.event().id(), event.event().type(), event.json(), DeliveryState.PENDING, 0, now, null, null, null, now,
        0);
  }

  /** After an attempt that got a 2xx answer. */
  public Delivery delivered(int status, Instant at) {
    return new Delivery(id, seq, tenant, webhookId, eventId, eventType, body, DeliveryState.DELIVERED, attempts + 1,
        null, status, null, at, created, version);
  }

  /** After a failed attempt: pending again at {@code next}, or dead when {@code next} is null. */
  public Delivery failed(Integer status, String error, Instant at, Instant next) {
    return new Delivery(id, seq, tenant, webhookId, eventId, eventType, body,
        next == null ? DeliveryState.DEAD : DeliveryState.PENDING, attempts + 1, next, status,
        Objects.requireNonNull(error, "error"), at, created, version);
  }

  private static Instant millis(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
  }
}
