package io.agentwatch.server.stream;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.Subscription;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/stream}: Server-Sent Events, replay from {@code Last-Event-ID} (or
 * {@code ?after=}) then live. Each event's {@code id:} is its resume cursor, so a browser's
 * {@code EventSource} resumes by itself after a dropped connection.
 *
 * <p>A {@code gap} event ends the stream; its cursor equals the last {@code id:} sent, so an
 * EventSource reconnects and replays the rest without any client code. A {@code reset} (cursor of
 * another store) carries the head as its {@code id:} and the stream goes on live from there.
 *
 * <p>The handler runs on a virtual thread and writes with plain blocking I/O; a slow client only
 * blocks its own thread while its bounded queue fills.
 */
@RestController
public class SseController {

  private final Fanout fanout;
  private final OriginPolicy origins;
  private final Connections connections;
  private final Lifecycle lifecycle;
  private final Duration heartbeat;
  private final KeyService keys;

  public SseController(Fanout fanout, OriginPolicy origins, Connections connections, Lifecycle lifecycle,
      AgentwatchProperties properties, KeyService keys) {
    this.keys = keys;
    this.fanout = fanout;
    this.origins = origins;
    this.connections = connections;
    this.lifecycle = lifecycle;
    this.heartbeat = Duration.ofSeconds(properties.heartbeatSeconds());
  }

  @GetMapping("/api/v1/stream")
  void stream(Caller caller, HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) List<String> type,
      @RequestParam(required = false) String after,
      @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) throws IOException {
    caller.require(Scope.READ);
    // EventSource sends Last-Event-ID on reconnect while its URL still has the first ?after=.
    serve(caller, request, response, StreamRequests.filter(runId, agentId, type),
        StreamRequests.cursor(lastEventId != null && !lastEventId.isBlank() ? lastEventId : after), SseFormat.ENVELOPE);
  }

  /**
   * Streams the caller's events matching {@code filter} from {@code from} (null: live from now),
   * shown in {@code format}: the machinery of {@code /api/v1/stream} for other shapes of stream.
   * Checks the {@code read} scope and the browser origin first; returns when the client goes away
   * or the subscription ends.
   */
  public void serve(Caller caller, HttpServletRequest request, HttpServletResponse response, EventFilter filter,
      Cursor from, SseFormat format) throws IOException {
    caller.require(Scope.READ);
    if (!origins.allows(request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.HOST))) {
      throw ApiException.forbidden("origin " + request.getHeader(HttpHeaders.ORIGIN) + " is not allowed");
    }
    lifecycle.requireAccepting();

    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    OutputStream out = response.getOutputStream();
    out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
    if (format.opening() != null) {
      out.write(format.opening().getBytes(StandardCharsets.UTF_8));
    }
    out.flush();

    try (Subscription subscription = fanout.subscribe(caller.tenant(), filter, from)) {
      Connections.Closable handle = reason -> {
        subscription.end(reason);
        // The stream's own thread writes the gap and returns; the web server waits for that request.
        return CompletableFuture.completedFuture(null);
      };
      connections.add(handle, caller.keyId());
      if (caller.keyId() != null && !keys.isActive(caller.keyId())) {
        subscription.end("revoked");
      }
      try {
        pump(subscription, out, format);
      } finally {
        connections.remove(handle);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The client went away; its cursor lets it resume.
    }
  }

  private void pump(Subscription subscription, OutputStream out, SseFormat format) throws IOException, InterruptedException {
    Linger linger = new Linger();
    while (subscription.isOpen()) {
      Delivery d = subscription.next(linger.pending() ? Duration.ZERO : heartbeat);
      if (d == null) {
        if (linger.pending()) {
          if (!linger.waitMore()) {
            out.flush();
            linger.flushed();
          }
        } else {
          out.write(": heartbeat\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
        }
        continue;
      }
      switch (d) {
        case Delivery.Item item -> {
          String message = format.message(item.cursor().toString(), item.event());
          if (message != null) {
            out.write(message.getBytes(StandardCharsets.UTF_8));
            linger.buffered();
          }
        }
        case Delivery.Gap gap -> {
          write(out, gap.resumeFrom().toString(), "gap", EventCodec.JSON.writeValueAsString(
              Map.of("resumeFrom", gap.resumeFrom().toString(), "reason", gap.reason())));
          out.flush();
          return;
        }
        case Delivery.Reset reset -> {
          write(out, reset.head().toString(), "reset",
              EventCodec.JSON.writeValueAsString(Map.of("resumeFrom", reset.head().toString())));
          out.flush();
        }
      }
    }
  }

  private static void write(OutputStream out, String id, String event, String data) throws IOException {
    String frame = "id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n";
    out.write(frame.getBytes(StandardCharsets.UTF_8));
  }
}
