package io.agentwatch.server.state;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import java.time.Duration;
import java.util.Map;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/admin/projections/rebuild} (scope {@code operator}, since projections hold
 * every tenant): drops the projections and rebuilds them from the log, answering once they are
 * current to the log's head at the time of the call.
 */
@RestController
public class ProjectionsAdminController {

  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private final ProjectionUpdater projections;

  public ProjectionsAdminController(ProjectionUpdater projections) {
    this.projections = projections;
  }

  @PostMapping("/api/v1/admin/projections/rebuild")
  Map<String, Object> rebuild(Caller caller) throws InterruptedException {
    caller.require(Scope.OPERATOR);
    long started = System.nanoTime();
    try {
      var cursor = projections.rebuild(TIMEOUT);
      return Map.of("asOf", cursor.toString(), "millis", (System.nanoTime() - started) / 1_000_000);
    } catch (IllegalStateException e) {
      throw ApiException.unavailable(e.getMessage());
    }
  }
}
