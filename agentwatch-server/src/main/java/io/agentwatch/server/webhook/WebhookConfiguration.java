package io.agentwatch.server.webhook;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.webhook.AddressPolicy;
import io.agentwatch.core.webhook.WebhookMatcher;
import io.agentwatch.core.webhook.WebhookService;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqliteWebhookStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires webhooks: the store beside the log (in PostgreSQL with {@code agentwatch.store=postgres},
 * see {@code cluster.PostgresConfiguration}), the matcher that turns events into deliveries, the
 * sender that works off the queue. Only in the serving application: the one-off
 * {@code rebuild-projections} run must not send anything.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
public class WebhookConfiguration {

  @Bean
  @ConditionalOnProperty(name = "agentwatch.store", havingValue = "sqlite", matchIfMissing = true)
  WebhookStore webhookStore(SqliteDatabase database) {
    return new SqliteWebhookStore(database);
  }

  @Bean
  AddressPolicy webhookAddressPolicy(WebhookProperties properties) {
    return new AddressPolicy(properties.allowPrivate());
  }

  @Bean
  WebhookService webhookService(WebhookStore store, EventLog log, AddressPolicy webhookAddressPolicy, Clock clock) {
    return new WebhookService(store, log, webhookAddressPolicy, clock);
  }

  @Bean(destroyMethod = "close")
  WebhookSender webhookSender(WebhookStore store, AddressPolicy webhookAddressPolicy, WebhookProperties properties,
      Clock clock, MeterRegistry registry, ObjectProvider<SendingRole> role) {
    WebhookSender sender = new WebhookSender(store,
        new WebhookPoster(webhookAddressPolicy, properties.timeout(), clock), properties, clock,
        new WebhookMetrics(registry), role.getIfAvailable(() -> SendingRole.ALWAYS));
    Gauge.builder("agentwatch.webhook.pending", store, WebhookStore::pending)
        .description("webhook deliveries waiting for an attempt").register(registry);
    Gauge.builder("agentwatch.webhook.in_flight", sender, WebhookSender::inFlight)
        .description("webhook requests in flight").register(registry);
    Gauge.builder("agentwatch.webhook.circuits.open", sender, WebhookSender::openCircuits)
        .description("webhook endpoints whose circuit is open").register(registry);
    return sender.start();
  }

  /** Closed before the sender and the log (it depends on both), saving the position it reached. */
  @Bean(destroyMethod = "close")
  WebhookMatcher webhookMatcher(EventLog log, WebhookStore store, Clock clock, WebhookSender sender,
      WebhookService service) {
    WebhookMatcher matcher = new WebhookMatcher(log, store, clock, sender::wake);
    service.onChange(matcher::webhooksChanged);
    service.onChange(sender::wake);
    return matcher.start();
  }

  @Bean
  WebhookHealth webhookHealth(WebhookStore store, WebhookSender sender) {
    return new WebhookHealth(store, sender);
  }
}
