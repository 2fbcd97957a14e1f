package io.agentwatch.server.resilience;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the circuit breaker and the read retries of each distributed backend behave
 * ({@code agentwatch.resilience.*}).
 *
 * @param window        calls the breaker looks back over
 * @param minimumCalls  calls it needs in the window before it may open
 * @param failureRate   percentage of failed calls in the window that opens it
 * @param openFor       how long an open circuit refuses calls before letting probes through
 * @param halfOpenCalls probes that must succeed to close it again
 * @param readAttempts  attempts of a read in all (1 = no retry)
 * @param readBackoff   wait before the first retry of a read; doubles for each further one
 * @param retryAfter    the {@code Retry-After} given to clients when a call failed (an open circuit
 *                      gives {@code openFor} instead)
 * @param appendTimeout longest an append may take before it is answered as failed (503): a bound
 *                      over the backend's own timeouts, should a client library block longer; the
 *                      append may still complete, and the client's retry is then a duplicate
 */
@ConfigurationProperties("agentwatch.resilience")
public record ResilienceSettings(
    int window,
    int minimumCalls,
    float failureRate,
    Duration openFor,
    int halfOpenCalls,
    int readAttempts,
    Duration readBackoff,
    Duration retryAfter,
    Duration appendTimeout) {

  public ResilienceSettings {
    if (window < 1 || window > 10_000) {
      throw new IllegalArgumentException("agentwatch.resilience.window must be 1..10000 but was " + window);
    }
    if (minimumCalls < 1 || minimumCalls > window) {
      throw new IllegalArgumentException("agentwatch.resilience.minimum-calls must be 1..window (" + window
          + ") but was " + minimumCalls);
    }
    if (!(failureRate > 0 && failureRate <= 100)) {
      throw new IllegalArgumentException("agentwatch.resilience.failure-rate must be in (0, 100] but was "
          + failureRate);
    }
    requirePositive("open-for", openFor);
    if (halfOpenCalls < 1) {
      throw new IllegalArgumentException("agentwatch.resilience.half-open-calls must be >= 1 but was "
          + halfOpenCalls);
    }
    if (readAttempts < 1 || readAttempts > 10) {
      throw new IllegalArgumentException("agentwatch.resilience.read-attempts must be 1..10 but was " + readAttempts);
    }
    requirePositive("read-backoff", readBackoff);
    requirePositive("retry-after", retryAfter);
    requirePositive("append-timeout", appendTimeout);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("agentwatch.resilience." + name + " must be positive but was " + d);
    }
  }
}
