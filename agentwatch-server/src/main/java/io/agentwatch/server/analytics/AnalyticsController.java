package io.agentwatch.server.analytics;

import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.analytics.TenantAnalytics;
import io.agentwatch.analytics.alert.AlertBook;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertItem;
import io.agentwatch.analytics.alert.AlertView;
import io.agentwatch.analytics.graph.GraphAnalysis;
import io.agentwatch.analytics.graph.GraphData;
import io.agentwatch.analytics.graph.GraphReport;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The analytics API (API.md, "Analytics"): causal graphs and alerts with acknowledgement, each
 * answered from the follower's state of the caller's tenant only (the rollups are
 * {@code metrics.MetricsController}'s). Every answer
 * carries {@code asOf}, the log cursor the analytics has processed.
 *
 * <p>Reading needs scope {@code read}. Acknowledging an alert needs {@code admin}: it changes what
 * every operator of the tenant sees as needing attention, like the agent commands do.
 */
@RestController
public class AnalyticsController {

  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_NOTE = 1000;
  private static final Duration ACK_VISIBLE_WITHIN = Duration.ofSeconds(10);

  private final AnalyticsFollower analytics;
  private final EventLog log;
  private final Clock clock;
  private final GraphAnalysis.Limits limits;

  public AnalyticsController(AnalyticsFollower analytics, EventLog log, Clock clock) {
    this.analytics = analytics;
    this.log = log;
    this.clock = clock;
    this.limits = analytics.read(AnalyticsEngine::config).graph();
  }

  @GetMapping("/api/v1/runs/{runId}/graph")
  ResponseEntity<String> runGraph(Caller caller, @PathVariable String runId) {
    caller.require(Scope.READ);
    Graph graph = read(caller, t -> new Graph(t.runGraph(runId), t.openLoops(runId)));
    if (graph == null || graph.data() == null) {
      throw ApiException.notFound("no run '" + runId + "' has events");
    }
    return graph(runId, graph);
  }

  /** The graph of all the tenant's runs together (an addition to API.md's per-run graph). */
  @GetMapping("/api/v1/graph")
  ResponseEntity<String> tenantGraph(Caller caller) {
    caller.require(Scope.READ);
    Graph graph = read(caller, t -> new Graph(t.tenantGraph(), t.openLoops(null)));
    return graph(null, graph != null ? graph : new Graph(new GraphData(List.of(), List.of(), null), List.of()));
  }

  /** A graph as read under the analytics' lock, with the loops the detector raised in it. */
  private record Graph(GraphData data, List<TenantAnalytics.Loop> loops) {}

  private ResponseEntity<String> graph(String runId, Graph graph) {
    Cursor asOf = analytics.position();
    // Computed outside the analytics' lock: betweenness and path lengths take O(V·E).
    GraphReport report = GraphAnalysis.analyze(graph.data(), limits);
    Map<String, Object> body = new LinkedHashMap<>();
    if (runId != null) {
      body.put("runId", runId);
    }
    body.put("nodes", report.nodes());
    body.put("edges", report.edges());
    body.put("metrics", report.metrics());
    body.put("cycles", report.cycles());
    // Loops are what the routing_loop detector raised and has not resolved: a cycle alone is not one.
    body.put("loops", graph.loops());
    body.put("asOf", asOf.toString());
    return json(body);
  }

  @GetMapping("/api/v1/alerts")
  ResponseEntity<String> alerts(Caller caller,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) String detector,
      @RequestParam(required = false) String state,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    if (detector != null && !AnalyticsEngine.DETECTORS.contains(detector)
        && !detector.equals(AlertEvents.FLOOD_CONTROL)) {
      throw ApiException.badRequest("detector must be one of " + String.join(", ", AnalyticsEngine.DETECTORS)
          + ", " + AlertEvents.FLOOD_CONTROL + " but was '" + detector + "'");
    }
    if (state != null && !state.equals(AlertView.OPEN) && !state.equals(AlertView.RESOLVED)) {
      throw ApiException.badRequest("state must be open or resolved but was '" + state + "'");
    }
    AlertBook.Query query = new AlertBook.Query(Params.optional(runId), Params.optional(agentId), detector, state,
        Params.optional(after), Params.limit(limit, DEFAULT_LIMIT));
    Cursor asOf = analytics.position();
    AlertBook.Page page;
    try {
      page = read(caller, t -> t.alerts(query));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (page == null) {
      // A tenant without events has no alerts, but a page token can still be wrong.
      page = new AlertBook().list(query);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("alerts", page.alerts().stream().map(AnalyticsController::alert).toList());
    body.put("next", page.next());
    body.put("asOf", asOf.toString());
    return json(body);
  }

  @GetMapping("/api/v1/alerts/{alertId}")
  ResponseEntity<String> oneAlert(Caller caller, @PathVariable String alertId) {
    caller.require(Scope.READ);
    return json(alert(find(caller, alertId)));
  }

  @PostMapping("/api/v1/alerts/{alertId}/ack")
  ResponseEntity<String> acknowledge(Caller caller, @PathVariable String alertId,
      @RequestBody(required = false) String body) {
    caller.require(Scope.ADMIN);
    String note = note(body);
    AlertView alert = find(caller, alertId);
    if (!alert.acknowledged()) {
      AppendResult result = log.append(caller.tenant(),
          List.of(AlertEvents.acknowledged(alert, caller.keyId(), note, clock.instant()))).join().getFirst();
      awaitAnalytics(result.isDuplicate() ? log.head() : result.stored().cursor());
      alert = find(caller, alertId);
    }
    return json(alert(alert));
  }

  private <T> T read(Caller caller, Function<TenantAnalytics, T> reader) {
    return analytics.read(engine -> {
      TenantAnalytics tenant = engine.tenant(caller.tenant());
      return tenant == null ? null : reader.apply(tenant);
    });
  }

  private AlertView find(Caller caller, String alertId) {
    AlertView alert = read(caller, t -> t.alert(alertId));
    if (alert == null) {
      throw ApiException.notFound("no alert '" + alertId + "'");
    }
    return alert;
  }

  private void awaitAnalytics(Cursor cursor) {
    try {
      if (!analytics.awaitApplied(cursor, ACK_VISIBLE_WITHIN)) {
        throw ApiException.unavailable("the acknowledgement is stored; the analytics is catching up with the log");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting for the analytics");
    }
  }

  /** The optional body of an acknowledgement: nothing, or {@code {"note": "…"}}. */
  private static String note(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    JsonNode node;
    try {
      node = EventCodec.JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw ApiException.badRequest("body must be a JSON object like {\"note\":\"looking into it\"} or empty");
    }
    for (var field : node.properties()) {
      if (!field.getKey().equals("note")) {
        throw ApiException.badRequest("an acknowledgement takes only 'note' but the body has '" + field.getKey() + "'");
      }
    }
    JsonNode note = node.get("note");
    if (note == null || note.isNull()) {
      return null;
    }
    if (!note.isString() || note.stringValue().length() > MAX_NOTE) {
      throw ApiException.badRequest("note must be a string of at most " + MAX_NOTE + " characters");
    }
    return note.stringValue();
  }

  /** An alert in the shape of API.md. */
  private static Map<String, Object> alert(AlertView a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("detector", a.detector());
    m.put("severity", a.severity());
    m.put("state", a.state());
    m.put("runId", a.runId());
    m.put("agents", a.agents());
    m.put("evidence", a.evidence());
    m.put("message", a.message());
    m.put("raisedAt", a.raisedAt());
    m.put("resolvedAt", a.resolvedAt());
    m.put("resolution", a.resolution());
    m.put("acknowledgedAt", a.acknowledgedAt());
    m.put("acknowledgedBy", a.acknowledgedBy());
    m.put("count", a.count());
    m.put("open", a.open());
    m.put("updatedAt", a.updatedAt());
    m.put("items", a.items().stream().map(AnalyticsController::item).toList());
    m.put("actions", a.actions());
    return m;
  }

  private static Map<String, Object> item(AlertItem i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("finding", i.finding());
    m.put("detector", i.detector());
    m.put("key", i.key());
    m.put("label", i.label());
    m.put("severity", i.severity());
    m.put("state", i.state());
    m.put("runId", i.runId());
    m.put("agents", i.agents());
    m.put("evidence", i.evidence());
    m.put("message", i.message());
    m.put("raisedAt", i.raisedAt());
    m.put("resolvedAt", i.resolvedAt());
    m.put("resolution", i.resolution());
    if (i.facts() != null) {
      m.put("facts", i.facts());
    }
    return m;
  }


  private static ResponseEntity<String> json(Object body) {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(EventCodec.JSON.writeValueAsString(body));
  }
}
