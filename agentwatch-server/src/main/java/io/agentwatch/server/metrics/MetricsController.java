package io.agentwatch.server.metrics;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.rollup.Bucket;
import io.agentwatch.core.rollup.RollupPoint;
import io.agentwatch.core.rollup.RollupQuery;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/metrics?runId=&agentId=&bucket=1m|1h&from=&to=} (API.md, "Analytics"): the
 * caller's tenant's rollups from the {@link RollupStore} — PostgreSQL's tables shared by every
 * node with {@code agentwatch.store=postgres}, else the in-memory store of this node. Buckets are
 * returned oldest first, only those with events, from the bucket holding {@code from} up to
 * {@code to} (exclusive); {@code asOf} is a log cursor every event of which is counted.
 */
@RestController
public class MetricsController {

  /** No event time lies outside these (RFC 3339 years 0000 to 9999, with any offset). */
  static final Instant EARLIEST = Instant.parse("-0001-12-31T00:00:00Z");
  static final Instant LATEST = Instant.parse("+10000-01-02T00:00:00Z");

  private final RollupStore rollups;
  private final RollupsAsOf asOf;

  public MetricsController(RollupStore rollups, RollupsAsOf asOf) {
    this.rollups = rollups;
    this.asOf = asOf;
  }

  @GetMapping("/api/v1/metrics")
  ResponseEntity<String> metrics(Caller caller,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) String bucket,
      @RequestParam(required = false) String from,
      @RequestParam(required = false) String to) {
    caller.require(Scope.READ);
    Bucket size;
    try {
      size = bucket == null || bucket.isBlank() ? Bucket.MINUTE : Bucket.of(bucket);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    Instant fromTs = within("from", Params.instant("from", from));
    Instant toTs = within("to", Params.instant("to", to));
    if (fromTs != null && toTs != null && !fromTs.isBefore(toTs)) {
      throw ApiException.badRequest("from must be before to but was " + fromTs + " >= " + toTs);
    }
    RollupQuery query = new RollupQuery(Params.optional(runId), Params.optional(agentId), size,
        size.start(fromTs != null ? fromTs : EARLIEST), toTs != null ? toTs : LATEST);
    Cursor current = asOf.asOf();
    List<RollupPoint> points = rollups.query(caller.tenant(), query);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("bucket", size.label());
    body.put("runId", query.runId());
    body.put("agentId", query.agentId());
    body.put("points", points.stream().map(p -> point(p, size)).toList());
    body.put("asOf", current.toString());
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(EventCodec.JSON.writeValueAsString(body));
  }

  private static Instant within(String name, Instant t) {
    if (t != null && (t.isBefore(EARLIEST) || t.isAfter(LATEST))) {
      throw ApiException.badRequest(name + " must lie within the years 0000 to 9999 but was " + t);
    }
    return t;
  }

  /** A bucket in the shape of API.md, with what follows from its counters. */
  private static Map<String, Object> point(RollupPoint p, Bucket size) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("start", p.start().toString());
    m.put("end", p.start().plus(size.width()).toString());
    m.put("events", p.events());
    m.put("eventsPerSecond", p.events() / (double) size.width().toSeconds());
    m.put("errors", p.errors());
    m.put("errorRate", p.events() == 0 ? 0.0 : p.errors() / (double) p.events());
    m.put("tasks", p.tasksTimed());
    m.put("taskP50Ms", p.taskP50Ms());
    m.put("taskP95Ms", p.taskP95Ms());
    m.put("llmCalls", p.llmCalls());
    m.put("inputTokens", p.inputTokens());
    m.put("outputTokens", p.outputTokens());
    m.put("tokens", p.inputTokens() + p.outputTokens());
    m.put("costUsd", p.costUsd());
    m.put("tasksStarted", p.tasksStarted());
    m.put("tasksCompleted", p.tasksCompleted());
    m.put("tasksFailed", p.tasksFailed());
    return m;
  }
}
