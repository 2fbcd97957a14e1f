package io.agentwatch.server.webhook;

import io.agentwatch.core.webhook.RetrySchedule;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentwatch.webhook.*}: how webhooks are delivered (docs/webhooks.md). Absent values take
 * the defaults named here.
 *
 * @param allowPrivate        allow URLs on loopback and private addresses (refused by default against SSRF)
 * @param backoff             waits after the 1st, 2nd, … failed attempt (default 5s,30s,2m,10m,1h,6h)
 * @param jitter              each wait is stretched or shrunk by a random factor within ±jitter (default 0.2)
 * @param maxAttempts         attempts in all before a delivery is dead (default 7)
 * @param timeout             how long an endpoint has to answer (default 10s, as API.md promises)
 * @param perEndpoint         requests in flight to one webhook at most (default 4)
 * @param maxInFlight         requests in flight to all webhooks at most (default 64)
 * @param pollInterval        how often due deliveries are looked for without a wake-up (default 1s)
 * @param circuitOpenFor      how long an endpoint's open circuit refuses attempts (default 30s)
 * @param circuitMinimumCalls attempts the circuit judges before it may open (default 5)
 * @param circuitFailureRate  percentage of failed attempts among the last 10 that opens it (default 50)
 */
@ConfigurationProperties("agentwatch.webhook")
public record WebhookProperties(
    boolean allowPrivate,
    List<Duration> backoff,
    Double jitter,
    Integer maxAttempts,
    Duration timeout,
    Integer perEndpoint,
    Integer maxInFlight,
    Duration pollInterval,
    Duration circuitOpenFor,
    Integer circuitMinimumCalls,
    Integer circuitFailureRate) {

  public WebhookProperties {
    RetrySchedule defaults = RetrySchedule.DEFAULT;
    backoff = backoff == null || backoff.isEmpty() ? defaults.delays() : List.copyOf(backoff);
    jitter = jitter == null ? defaults.jitter() : jitter;
    maxAttempts = maxAttempts == null ? defaults.maxAttempts() : maxAttempts;
    timeout = positive("timeout", timeout, Duration.ofSeconds(10));
    perEndpoint = atLeastOne("per-endpoint", perEndpoint, 4);
    maxInFlight = atLeastOne("max-in-flight", maxInFlight, 64);
    pollInterval = positive("poll-interval", pollInterval, Duration.ofSeconds(1));
    circuitOpenFor = positive("circuit-open-for", circuitOpenFor, Duration.ofSeconds(30));
    circuitMinimumCalls = atLeastOne("circuit-minimum-calls", circuitMinimumCalls, 5);
    circuitFailureRate = circuitFailureRate == null ? 50 : circuitFailureRate;
    if (circuitFailureRate < 1 || circuitFailureRate > 100) {
      throw new IllegalArgumentException("agentwatch.webhook.circuit-failure-rate must be 1..100 but was "
          + circuitFailureRate);
    }
    schedule(backoff, jitter, maxAttempts);
  }

  /** The retry schedule these settings describe. */
  public RetrySchedule schedule() {
    return schedule(backoff, jitter, maxAttempts);
  }

  private static RetrySchedule schedule(List<Duration> backoff, double jitter, int maxAttempts) {
    try {
      return new RetrySchedule(backoff, jitter, maxAttempts);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("agentwatch.webhook: " + e.getMessage(), e);
    }
  }

  private static Duration positive(String name, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("agentwatch.webhook." + name + " must be positive but was " + value);
    }
    return value;
  }

  private static int atLeastOne(String name, Integer value, int fallback) {
    if (value == null) {
      return fallback;
    }
    if (value < 1) {
      throw new IllegalArgumentException("agentwatch.webhook." + name + " must be at least 1 but was " + value);
    }
    return value;
  }
}
