package io.agentwatch.server.state;

import io.agentwatch.core.Digests;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.state.Projection;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.model.Problem;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ingest.IngestController;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /api/v1/sessions}: one completed run uploaded at once. Every event is validated
 * before anything is stored; any problem gets 422 listing all of them and nothing is stored.
 * Otherwise the events go into the log in one atomic append, followed by a {@code run.completed}
 * marker when the session carries no end of its own — its id is derived from the run, so
 * uploading the same session again stores nothing new.
 */
@RestController
public class SessionsController {

  private final EventLog log;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;

  public SessionsController(EventLog log, TenantRateLimits rateLimits, Lifecycle lifecycle) {
    this.log = log;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
  }

  @PostMapping("/api/v1/sessions")
  ResponseEntity<Map<String, Object>> upload(Caller caller, HttpServletRequest request) throws IOException {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
    JsonNode body = parse(IngestController.readBody(request));
    List<Problem> problems = new ArrayList<>();
    String runId = runId(body, problems);
    JsonNode events = body.get("events");
    if (events == null || !events.isArray() || events.isEmpty()) {
      problems.add(new Problem("events", "must be a non-empty array of events"));
    } else if (events.size() > Batch.MAX_EVENTS) {
      throw new ApiException(HttpStatus.CONTENT_TOO_LARGE,
          "a session holds at most " + Batch.MAX_EVENTS + " events but had " + events.size());
    }
    List<Event> valid = problems.isEmpty() ? validate(runId, events, problems) : List.of();
    if (!problems.isEmpty()) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, problems.size() + " problem(s); nothing was stored: "
          + problems.getFirst().message())
          .with("problems", problems.stream().map(p -> Map.of("path", p.path(), "reason", p.reason())).toList());
    }
    List<Event> toStore = new ArrayList<>(valid);
    if (valid.stream().noneMatch(e -> e.type().equals(Projection.RUN_COMPLETED) || e.type().equals(Projection.RUN_FAILED))) {
      toStore.add(endMarker(runId, valid));
    }
    rateLimits.acquire(caller.tenant(), toStore.size());
    List<AppendResult> results;
    try {
      results = log.append(caller.tenant(), toStore).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof UnavailableException u ? u : e;
    }
    long accepted = results.subList(0, valid.size()).stream().filter(r -> !r.isDuplicate()).count();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("runId", runId);
    answer.put("accepted", accepted);
    answer.put("duplicates", valid.size() - accepted);
    return ResponseEntity.status(HttpStatus.CREATED).body(answer);
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      JsonNode body = EventCodec.JSON.readTree(bytes);
      if (body == null || !body.isObject()) {
        throw ApiException.badRequest("body must be a JSON object {\"runId\":…,\"events\":[…]}");
      }
      return body;
    } catch (JacksonException e) {
      throw ApiException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static String runId(JsonNode body, List<Problem> problems) {
    JsonNode runId = body.get("runId");
    if (runId == null || !runId.isString() || runId.stringValue().isEmpty() || runId.stringValue().length() > 128) {
      problems.add(new Problem("runId", "is required: a string of 1-128 characters"));
      return null;
    }
    return runId.stringValue();
  }

  /** Every event checked, all problems collected with their index; the run id filled in where absent. */
  private static List<Event> validate(String runId, JsonNode events, List<Problem> problems) {
    List<Event> valid = new ArrayList<>(events.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode node = events.get(i);
      String at = "events[" + i + "]";
      if (node.isObject() && node.get("runId") != null && !node.get("runId").isNull()
          && !runId.equals(node.get("runId").asString())) {
        problems.add(new Problem(at + ".runId", "must be absent or equal to the session's runId '" + runId
            + "' but was '" + node.get("runId").asString() + "'"));
        continue;
      }
      try {
        Event event = EventCodec.decode(node);
        Integer first = seen.putIfAbsent(event.id(), i);
        if (first != null) {
          problems.add(new Problem(at + ".id", "repeats events[" + first + "].id '" + event.id() + "'"));
        }
        valid.add(event.runId() == null ? event.withRunId(runId) : event);
      } catch (InvalidEventException e) {
        e.problems().forEach(p -> problems.add(p.under(at)));
      }
    }
    return valid;
  }

  private static Event endMarker(String runId, List<Event> events) {
    Instant end = events.stream().map(Event::ts).max(Instant::compareTo).orElseThrow();
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("source", "upload");
    data.put("events", events.size());
    String id = "run-end:" + Digests.sha256Hex(runId).substring(0, 40);
    return new Event(id, Projection.RUN_COMPLETED, Edits.API_AGENT, runId, end, null, null, data);
  }
}
