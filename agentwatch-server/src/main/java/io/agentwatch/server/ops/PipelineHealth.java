package io.agentwatch.server.ops;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.store.EventStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** The log and the store answer, and the server takes events: part of readiness. */
public final class PipelineHealth implements HealthIndicator {

  private final EventLog log;
  private final EventStore store;
  private final Lifecycle lifecycle;

  public PipelineHealth(EventLog log, EventStore store, Lifecycle lifecycle) {
    this.log = log;
    this.store = store;
    this.lifecycle = lifecycle;
  }

  @Override
  public Health health() {
    try {
      log.check();
      store.check();
    } catch (RuntimeException e) {
      return Health.down().withDetail("reason", e.getMessage()).build();
    }
    if (!lifecycle.accepting()) {
      return Health.outOfService().withDetail("reason", "shutting down").build();
    }
    return Health.up().build();
  }
}
