package io.agentwatch.server.state;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.state.AgentState;
import io.agentwatch.core.state.Projection;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.core.state.RunState;
import io.agentwatch.core.state.TaskState;
import io.agentwatch.core.state.TimeTravel;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agents, runs and tasks as projected from the log (API.md, "History and state"). Every answer
 * carries {@code asOf}, the log cursor the projection reflects; single resources carry their
 * version as {@code ETag} for optimistic {@code PATCH}.
 */
@RestController
public class StateController {

  private static final int DEFAULT_LIMIT = 100;

  private final ProjectionUpdater projections;
  private final TimeTravel timeTravel;
  private final Edits edits;

  public StateController(ProjectionUpdater projections, TimeTravel timeTravel, EventLog log, Clock clock) {
    this.projections = projections;
    this.timeTravel = timeTravel;
    this.edits = new Edits(log, projections, clock);
  }

  @GetMapping("/api/v1/agents")
  ResponseEntity<String> agents(Caller caller,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String role,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String sort,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    int n = limit(limit);
    Listing<AgentState> listing = switch (orDefault(sort, "agentId")) {
      case "agentId" -> new Listing<>(a -> a.agentId, a -> a.agentId, false);
      case "-agentId" -> new Listing<>(a -> a.agentId, a -> a.agentId, true);
      case "lastSeen" -> new Listing<>(a -> Listing.instantKey(a.lastSeen), a -> a.agentId, false);
      case "-lastSeen" -> new Listing<>(a -> Listing.instantKey(a.lastSeen), a -> a.agentId, true);
      case "name" -> new Listing<>(a -> a.displayName != null ? a.displayName : a.name, a -> a.agentId, false);
      default -> throw badSort(sort, "agentId, -agentId, lastSeen, -lastSeen, name");
    };
    return json(projections.read(caller.tenant(), p -> {
      Predicate<AgentState> filter = a -> (status == null || status.equals(a.status))
          && (role == null || role.equals(a.role))
          && (runId == null || (p.run(runId) != null && p.run(runId).participants.containsKey(a.agentId)));
      return page("agents", listing.page(p.agents(), filter, after, n));
    }));
  }

  @GetMapping("/api/v1/agents/{agentId}")
  ResponseEntity<String> agent(Caller caller, @PathVariable String agentId) {
    caller.require(Scope.READ);
    return versioned(projections.read(caller.tenant(), p -> one(p.agent(agentId), a -> a.version)),
        "no agent '" + agentId + "' has sent events");
  }

  @PatchMapping("/api/v1/agents/{agentId}")
  ResponseEntity<String> editAgent(Caller caller, @PathVariable String agentId,
      @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
      @RequestBody(required = false) String body) {
    caller.require(Scope.INGEST);
    ObjectNode changes = changes(body, Map.of("displayName", Kind.TEXT, "tags", Kind.TEXT_LIST, "notes", Kind.TEXT));
    requireExists(caller, p -> p.agent(agentId), "no agent '" + agentId + "' has sent events");
    try {
      edits.edit(caller.tenant(), "agent:" + agentId, ifMatch,
          () -> projections.read(caller.tenant(), p -> p.agent(agentId).version),
          Projection.AGENT_EDITED, agentId, null, changes, caller.keyId());
    } catch (ApiException e) {
      throw withCurrent(e, () -> agent(caller, agentId).getBody());
    }
    return agent(caller, agentId);
  }

  @GetMapping("/api/v1/runs")
  ResponseEntity<String> runs(Caller caller,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) String from,
      @RequestParam(required = false) String to,
      @RequestParam(required = false) String q,
      @RequestParam(required = false) String sort,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    int n = limit(limit);
    Instant fromTs = Params.instant("from", from);
    Instant toTs = Params.instant("to", to);
    String search = Params.optional(q) == null ? null : q.trim().toLowerCase(Locale.ROOT);
    Listing<RunState> listing = switch (orDefault(sort, "-startedAt")) {
      case "startedAt" -> new Listing<>(r -> Listing.instantKey(r.startedAt), r -> r.runId, false);
      case "-startedAt" -> new Listing<>(r -> Listing.instantKey(r.startedAt), r -> r.runId, true);
      case "-lastEventAt" -> new Listing<>(r -> Listing.instantKey(r.lastEventAt), r -> r.runId, true);
      case "runId" -> new Listing<>(r -> r.runId, r -> r.runId, false);
      default -> throw badSort(sort, "startedAt, -startedAt, -lastEventAt, runId");
    };
    Predicate<RunState> filter = r -> (status == null || status.equals(r.status))
        && (agentId == null || r.participants.containsKey(agentId))
        && (fromTs == null || !r.startedAt.isBefore(fromTs))
        && (toTs == null || r.startedAt.isBefore(toTs))
        && (search == null || mentions(r, search));
    return json(projections.read(caller.tenant(), p -> page("runs", listing.page(p.runs(), filter, after, n))));
  }

  /** {@code q}: the run id, title or a participant's id contains the (lower-cased) text. */
  private static boolean mentions(RunState run, String text) {
    return contains(run.runId, text) || contains(run.title, text)
        || run.participants.keySet().stream().anyMatch(agent -> contains(agent, text));
  }

  private static boolean contains(String value, String lowerText) {
    return value != null && value.toLowerCase(Locale.ROOT).contains(lowerText);
  }

  @GetMapping("/api/v1/runs/{runId}")
  ResponseEntity<String> run(Caller caller, @PathVariable String runId) {
    caller.require(Scope.READ);
    return versioned(projections.read(caller.tenant(), p -> one(p.run(runId), r -> r.version)),
        "no run '" + runId + "' has events");
  }

  @PatchMapping("/api/v1/runs/{runId}")
  ResponseEntity<String> editRun(Caller caller, @PathVariable String runId,
      @RequestHeader(value = HttpHeaders.IF_MATCH, required = false) String ifMatch,
      @RequestBody(required = false) String body) {
    caller.require(Scope.INGEST);
    ObjectNode changes = changes(body, Map.of("title", Kind.TEXT, "labels", Kind.TEXT_LIST));
    requireExists(caller, p -> p.run(runId), "no run '" + runId + "' has events");
    try {
      edits.edit(caller.tenant(), "run:" + runId, ifMatch,
          () -> projections.read(caller.tenant(), p -> p.run(runId).version),
          Projection.RUN_EDITED, Edits.API_AGENT, runId, changes, caller.keyId());
    } catch (ApiException e) {
      throw withCurrent(e, () -> run(caller, runId).getBody());
    }
    return run(caller, runId);
  }

  @GetMapping("/api/v1/runs/{runId}/tasks")
  ResponseEntity<String> tasks(Caller caller, @PathVariable String runId,
      @RequestParam(required = false) String state,
      @RequestParam(required = false) String assignee,
      @RequestParam(required = false) String sort,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    int n = limit(limit);
    Listing<TaskState> listing = switch (orDefault(sort, "createdAt")) {
      case "createdAt" -> new Listing<>(t -> Listing.instantKey(t.createdAt), t -> t.taskId, false);
      case "-createdAt" -> new Listing<>(t -> Listing.instantKey(t.createdAt), t -> t.taskId, true);
      case "-updatedAt" -> new Listing<>(t -> Listing.instantKey(t.updatedAt), t -> t.taskId, true);
      case "taskId" -> new Listing<>(t -> t.taskId, t -> t.taskId, false);
      default -> throw badSort(sort, "createdAt, -createdAt, -updatedAt, taskId");
    };
    Predicate<TaskState> filter = t -> runId.equals(t.runId)
        && (state == null || state.equals(t.state))
        && (assignee == null || assignee.equals(t.assignee));
    return json(projections.read(caller.tenant(), p -> {
      if (p.run(runId) == null) {
        throw ApiException.notFound("no run '" + runId + "' has events");
      }
      return page("tasks", listing.page(p.tasks(), filter, after, n));
    }));
  }

  @GetMapping("/api/v1/runs/{runId}/state")
  ResponseEntity<String> stateAt(Caller caller, @PathVariable String runId,
      @RequestParam(required = false) String at) {
    caller.require(Scope.READ);
    Instant instant = Params.instant("at", at);
    if (instant == null) {
      throw ApiException.badRequest("at is required: an RFC 3339 instant like 2026-11-28T16:00:00Z");
    }
    requireExists(caller, p -> p.run(runId), "no run '" + runId + "' has events");
    Projection state = timeTravel.stateAt(caller.tenant(), runId, instant);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("runId", runId);
    body.put("at", instant.toString());
    body.put("events", state.events());
    body.put("run", state.run(runId));
    body.put("agents", sorted(state.agents(), a -> a.agentId));
    body.put("tasks", sorted(state.tasks(), t -> t.taskId));
    return json(EventCodec.JSON.writeValueAsString(body));
  }

  private String page(String name, Listing.Page<?> page) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(name, page.rows());
    body.put("next", page.next());
    body.put("asOf", projections.position().toString());
    return EventCodec.JSON.writeValueAsString(body);
  }

  private <T> Versioned one(T row, Function<T, Long> version) {
    if (row == null) {
      return null;
    }
    ObjectNode node = EventCodec.JSON.valueToTree(row);
    node.put("asOf", projections.position().toString());
    return new Versioned(EventCodec.JSON.writeValueAsString(node), version.apply(row));
  }

  private record Versioned(String json, long version) {}

  private static ResponseEntity<String> versioned(Versioned v, String notFound) {
    if (v == null) {
      throw ApiException.notFound(notFound);
    }
    return ResponseEntity.ok().eTag(Edits.etag(v.version())).contentType(MediaType.APPLICATION_JSON).body(v.json());
  }

  private void requireExists(Caller caller, Function<Projection, Object> find, String notFound) {
    if (projections.read(caller.tenant(), find) == null) {
      throw ApiException.notFound(notFound);
    }
  }

  private static ApiException withCurrent(ApiException e, java.util.function.Supplier<String> current) {
    if (e.status() == HttpStatus.PRECONDITION_FAILED) {
      e.with("current", EventCodec.JSON.readTree(current.get()));
    }
    return e;
  }

  private enum Kind { TEXT, TEXT_LIST }

  /** The PATCH body: only the given fields, each a string (or null to clear) or a list of strings. */
  private static ObjectNode changes(String body, Map<String, Kind> allowed) {
    JsonNode node;
    try {
      node = body == null || body.isBlank() ? null : EventCodec.JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject() || node.isEmpty()) {
      throw ApiException.badRequest("body must be a JSON object with some of " + allowed.keySet());
    }
    ObjectNode changes = EventCodec.JSON.createObjectNode();
    for (var field : node.properties()) {
      Kind kind = allowed.get(field.getKey());
      JsonNode value = field.getValue();
      if (kind == null) {
        throw ApiException.badRequest(field.getKey() + " cannot be edited; editable fields are " + allowed.keySet());
      }
      boolean ok = switch (kind) {
        case TEXT -> value.isNull() || (value.isString() && value.stringValue().length() <= 10_000);
        case TEXT_LIST -> value.isArray() && value.size() <= 100
            && value.valueStream().allMatch(v -> v.isString() && v.stringValue().length() <= 100);
      };
      if (!ok) {
        throw ApiException.badRequest(field.getKey() + (kind == Kind.TEXT
            ? " must be a string of at most 10000 characters, or null"
            : " must be an array of at most 100 strings of at most 100 characters"));
      }
      changes.set(field.getKey(), value);
    }
    return changes;
  }

  private static <T> List<T> sorted(Collection<T> rows, Function<T, String> key) {
    return rows.stream().sorted(java.util.Comparator.comparing(key, java.util.Comparator.nullsFirst(
        java.util.Comparator.naturalOrder()))).toList();
  }

  private static ResponseEntity<String> json(String body) {
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
  }

  private static int limit(String text) {
    return Params.limit(text, DEFAULT_LIMIT);
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value;
  }

  private static ApiException badSort(String sort, String allowed) {
    return ApiException.badRequest("sort must be one of " + allowed + " but was '" + sort + "'");
  }
}
