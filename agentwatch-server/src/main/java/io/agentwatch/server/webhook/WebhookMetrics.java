package io.agentwatch.server.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Delivery outcomes as Micrometer meters, scraped at {@code /actuator/prometheus}. */
final class WebhookMetrics {

  private final Counter delivered;
  private final Counter failed;
  private final Counter dead;
  private final Timer latency;

  WebhookMetrics(MeterRegistry registry) {
    delivered = attempts(registry, "delivered");
    failed = attempts(registry, "failed");
    dead = Counter.builder("agentwatch.webhook.dead")
        .description("deliveries given up after their last attempt (the dead-letter list)").register(registry);
    latency = Timer.builder("agentwatch.webhook.attempt.latency")
        .description("from sending a webhook request to its answer (or timeout)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
  }

  private static Counter attempts(MeterRegistry registry, String outcome) {
    return Counter.builder("agentwatch.webhook.attempts").tag("outcome", outcome)
        .description("webhook delivery attempts by outcome").register(registry);
  }

  void delivered(long nanos) {
    delivered.increment();
    latency.record(Duration.ofNanos(nanos));
  }

  void failed(long nanos) {
    failed.increment();
    latency.record(Duration.ofNanos(nanos));
  }

  void dead() {
    dead.increment();
  }
}
