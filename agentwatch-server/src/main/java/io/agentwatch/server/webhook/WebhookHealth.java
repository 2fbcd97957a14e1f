package io.agentwatch.server.webhook;

import io.agentwatch.core.webhook.WebhookStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Webhook delivery in the health details: the queue depth, requests in flight and endpoints whose
 * circuit is open. Failing endpoints are their owners' concern, so they never make the server
 * unhealthy; only a store that cannot answer does.
 */
final class WebhookHealth implements HealthIndicator {

  private final WebhookStore store;
  private final WebhookSender sender;

  WebhookHealth(WebhookStore store, WebhookSender sender) {
    this.store = store;
    this.sender = sender;
  }

  @Override
  public Health health() {
    try {
      return Health.up()
          .withDetail("pending", store.pending())
          .withDetail("inFlight", sender.inFlight())
          .withDetail("openCircuits", sender.openCircuits())
          .build();
    } catch (RuntimeException e) {
      return Health.down().withDetail("reason", e.getMessage()).build();
    }
  }
}
