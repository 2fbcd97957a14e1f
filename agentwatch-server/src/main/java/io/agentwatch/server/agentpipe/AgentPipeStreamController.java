package io.agentwatch.server.agentpipe;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.stream.SseController;
import io.agentwatch.server.stream.StreamRequests;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/realtime/stream?conversationId=}: AgentPipe's live stream, in AgentPipe's shape
 * ({@link AgentPipeFormat}), on the machinery of {@code /api/v1/stream} — the {@code read} scope,
 * the browser origin check, heartbeats, and resume from {@code Last-Event-ID}. Without a
 * conversation it streams every AgentPipe conversation of the tenant, as AgentPipe does.
 */
@RestController
public class AgentPipeStreamController {

  /** The event types that can stand for an AgentPipe event; the rest need not reach the stream. */
  private static final List<String> TYPES =
      List.of("agent.registered", "message.sent", "run.completed", "run.failed", "error.occurred");

  private final SseController sse;
  private final Clock clock;

  public AgentPipeStreamController(SseController sse, Clock clock) {
    this.sse = sse;
    this.clock = clock;
  }

  @GetMapping("/api/realtime/stream")
  void stream(Caller caller, HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String conversationId,
      @RequestParam(required = false) String after,
      @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) throws IOException {
    caller.require(Scope.READ);
    String conversation = conversationId == null || conversationId.isBlank() ? null : conversationId;
    sse.serve(caller, request, response, StreamRequests.filter(conversation, null, TYPES),
        StreamRequests.cursor(lastEventId != null && !lastEventId.isBlank() ? lastEventId : after), false,
        new AgentPipeFormat(conversation, clock.instant()));
  }
}
