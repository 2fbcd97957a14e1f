package io.agentwatch.server.agentpipe;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ingest.DurableAppend;
import io.agentwatch.server.ingest.IngestController;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.state.SessionUploads;
import io.agentwatch.server.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.time.Clock;
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
 * AgentPipe's bridge, unchanged, so its CLI can stream to Agentwatch: {@code POST /api/ingest}
 * takes one bridge event, {@code POST /api/sessions/upload} a whole past conversation. Both need
 * the {@code ingest} scope and answer only once the events are durable (429/503 with
 * {@code Retry-After} under pressure, as {@code POST /api/v1/events}); a request with any
 * problem gets 400 listing all of them, and nothing of it is stored.
 */
@RestController
public class AgentPipeController {

  private final DurableAppend append;
  private final SessionUploads uploads;
  private final Lifecycle lifecycle;
  private final Clock clock;
  private final BridgeEvents bridge = new BridgeEvents();
  private final UploadEvents uploadEvents = new UploadEvents();

  public AgentPipeController(EventLog log, PipelineMetrics metrics, TenantRateLimits rateLimits, Lifecycle lifecycle,
      Clock clock) {
    this.append = new DurableAppend(log, metrics, rateLimits, lifecycle);
    this.uploads = new SessionUploads(append);
    this.lifecycle = lifecycle;
    this.clock = clock;
  }

  @PostMapping("/api/ingest")
  ResponseEntity<Map<String, Object>> ingest(Caller caller, HttpServletRequest request) throws IOException {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
    JsonNode body = parse(IngestController.readBody(request, "an AgentPipe event {\"type\",\"timestamp\",\"data\"}"));
    BridgeEvents.Translation t = bridge.translate(body, clock.instant());
    if (!t.problems().isEmpty()) {
      throw refused(t.problems(), "Invalid event format");
    }
    append.append(caller.tenant(), t.events());
    return ResponseEntity.status(t.status()).body(t.answer());
  }

  @PostMapping("/api/sessions/upload")
  ResponseEntity<Map<String, Object>> upload(Caller caller, HttpServletRequest request) throws IOException {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
    byte[] bytes = IngestController.readBody(request, "an AgentPipe session {\"conversation\",\"agents\",\"messages\"}");
    UploadEvents.Translation t = uploadEvents.translate(parse(bytes), bytes);
    if (!t.problems().isEmpty()) {
      throw refused(t.problems(), "Invalid session format");
    }
    SessionUploads.Stored stored = uploads.store(caller.tenant(), t.conversationId(), t.events(), false);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("conversation_id", t.conversationId());
    answer.put("message_count", t.messages());
    answer.put("agent_count", t.agents());
    answer.put("accepted", stored.accepted());
    answer.put("duplicates", stored.duplicates());
    return ResponseEntity.status(HttpStatus.CREATED).body(answer);
  }

  /** A 400 listing every problem, with AgentPipe's short {@code error} label beside the problem fields. */
  private static ApiException refused(List<Problem> problems, String label) {
    return SessionUploads.refused(HttpStatus.BAD_REQUEST, problems).with("error", label);
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      JsonNode body = EventCodec.JSON.readTree(bytes);
      if (body == null || !body.isObject()) {
        throw ApiException.badRequest("body must be a JSON object");
      }
      return body;
    } catch (JacksonException e) {
      throw ApiException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
    }
  }
}
