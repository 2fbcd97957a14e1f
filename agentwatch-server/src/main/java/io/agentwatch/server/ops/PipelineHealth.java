package io.agentwatch.server.ops;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.server.resilience.BackendGuard;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Part of readiness ({@code /actuator/health/readiness}): the server takes events ({@code ingest}),
 * the log and the store answer ({@code log}, {@code store}), and every distributed backend answers
 * its probe with its circuit closed (one component each, named {@code postgres}, {@code kafka},
 * {@code redis}), so an answer names what is down even to a caller who may not see details. Liveness does not include
 * it: a backend outage must take a node out of the load balancer, not restart it.
 */
public final class PipelineHealth implements CompositeHealthContributor {

  private final Map<String, HealthIndicator> components = new LinkedHashMap<>();

  public PipelineHealth(EventLog log, EventStore store, Lifecycle lifecycle, List<BackendGuard> backends) {
    components.put("ingest", () -> lifecycle.accepting() ? Health.up().build()
        : Health.outOfService().withDetail("reason", "shutting down").build());
    components.put("log", () -> checked(log::check));
    components.put("store", () -> checked(store::check));
    for (BackendGuard backend : backends) {
      components.put(backend.backend(), () -> checked(backend::probe));
    }
  }

  private static Health checked(Runnable check) {
    try {
      check.run();
      return Health.up().build();
    } catch (RuntimeException e) {
      return Health.down().withDetail("reason", String.valueOf(e.getMessage())).build();
    }
  }

  @Override
  public HealthContributor getContributor(String name) {
    return components.get(name);
  }

  @Override
  public Stream<HealthContributors.Entry> stream() {
    return components.entrySet().stream().map(e -> new HealthContributors.Entry(e.getKey(), e.getValue()));
  }
}
