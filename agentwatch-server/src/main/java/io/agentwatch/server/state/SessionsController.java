package io.agentwatch.server.state;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ingest.DurableAppend;
import io.agentwatch.server.ingest.IngestController;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/sessions}: one completed run uploaded at once. Every event is validated
 * before anything is stored; any problem gets 422 listing all of them and nothing is stored.
 * Otherwise they are stored as {@link SessionUploads} does: at once, closed with a derived
 * {@code run.completed} when the session carries no end, harmless to upload again.
 */
@RestController
public class SessionsController {

  private final SessionUploads uploads;
  private final Lifecycle lifecycle;

  public SessionsController(EventLog log, PipelineMetrics metrics, TenantRateLimits rateLimits, Lifecycle lifecycle) {
    this.uploads = new SessionUploads(new DurableAppend(log, metrics, rateLimits, lifecycle));
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
    List<Event> valid = problems.isEmpty() ? SessionUploads.validate(runId, events, problems) : List.of();
    if (!problems.isEmpty()) {
      throw SessionUploads.refused(HttpStatus.UNPROCESSABLE_CONTENT, problems);
    }
    SessionUploads.Stored stored = uploads.store(caller.tenant(), runId, valid, true);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("runId", stored.runId());
    answer.put("accepted", stored.accepted());
    answer.put("duplicates", stored.duplicates());
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
}
