package io.agentwatch.server.stream;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.core.stream.Subscription;
import io.agentwatch.model.Cursor;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Problems;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;
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
 * <p>A {@code gap} event ends the stream (shutdown, revoked key, store unavailable); its cursor
 * equals the last {@code id:} sent, so an EventSource reconnects and replays the rest without any
 * client code. A {@code reset} (cursor of another store) carries the head as its {@code id:} and
 * the stream goes on live from there. A slow client is never cut off: its subscription reads
 * from the log at the pace the client takes it.
 *
 * <p>The response is asynchronous and written without blocking ({@link SseStream}): an open
 * stream holds no thread, only its buffers while there is something to write.
 */
@RestController
public class SseController implements DisposableBean {

  private static final int SSE_BUFFER_BYTES = 1024;
  private static final Set<String> PARAMETERS =
      Set.of("runId", "agentId", "type", "after", "batch", "conflate", "access_token");

  private final Fanout fanout;
  private final OriginPolicy origins;
  private final Connections connections;
  private final Lifecycle lifecycle;
  private final KeyService keys;
  private final long heartbeatNanos;
  private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
  private final Executor wakeUps = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(
      Thread.ofPlatform().name("sse-heartbeats").daemon(true).factory());

  public SseController(Fanout fanout, OriginPolicy origins, Connections connections, Lifecycle lifecycle,
      AgentwatchProperties properties, KeyService keys) {
    this.keys = keys;
    this.fanout = fanout;
    this.origins = origins;
    this.connections = connections;
    this.lifecycle = lifecycle;
    this.heartbeatNanos = Duration.ofSeconds(properties.heartbeatSeconds()).toNanos();
    heartbeats.scheduleWithFixedDelay(() -> open.forEach(s -> s.heartbeatIfIdle(heartbeatNanos)), 1, 1,
        TimeUnit.SECONDS);
  }

  @GetMapping("/api/v1/stream")
  void stream(Caller caller, HttpServletRequest request, HttpServletResponse response,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) List<String> type,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String batch,
      @RequestParam(required = false) String conflate,
      @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId) throws IOException {
    caller.require(Scope.READ);
    for (String name : request.getParameterMap().keySet()) {
      if (!PARAMETERS.contains(name)) {
        throw ApiException.badRequest(name + " is not a stream parameter; known: " + PARAMETERS.stream().sorted().toList());
      }
    }
    StreamRequests.flag("batch", batch);
    // EventSource sends Last-Event-ID on reconnect while its URL still has the first ?after=.
    serve(caller, request, response, StreamRequests.filter(runId, agentId, type),
        StreamRequests.cursor(lastEventId != null && !lastEventId.isBlank() ? lastEventId : after),
        StreamRequests.flag("conflate", conflate), SseFormat.ENVELOPE);
  }

  /**
   * Streams the caller's events matching {@code filter} from {@code from} (null: live from now),
   * shown in {@code format}: the machinery of {@code /api/v1/stream} for other shapes of stream.
   * Checks the {@code read} scope, the browser origin and the connection caps first; returns at
   * once, leaving the response open until the client goes away or the subscription ends.
   */
  public void serve(Caller caller, HttpServletRequest request, HttpServletResponse response, EventFilter filter,
      Cursor from, boolean conflate, SseFormat format) throws IOException {
    caller.require(Scope.READ);
    if (!origins.allows(request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.HOST))) {
      throw ApiException.forbidden("origin " + request.getHeader(HttpHeaders.ORIGIN) + " is not allowed");
    }
    lifecycle.requireAccepting();
    connections.admit(caller);

    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    // The container keeps a response's aggregation buffer as long as the response is open. Events
    // leave in whole hand-overs anyway, larger than this, so a small one costs nothing and an idle
    // stream holds little.
    response.setBufferSize(SSE_BUFFER_BYTES);
    SseStream stream = new SseStream(async, response.getOutputStream(), format, wakeUps, this::closed);
    try {
      connections.add(stream, caller);
    } catch (ApiException overCap) {
      // Opened by a race past the check above: the cap holds all the same.
      Problems.write(response, overCap);
      async.complete();
      return;
    }
    response.setStatus(200);
    response.setContentType("text/event-stream");
    response.setCharacterEncoding("UTF-8");
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    response.setHeader("X-Accel-Buffering", "no");
    open.add(stream);
    String opening = "retry: 1000\n\n" + (format.opening() == null ? "" : format.opening());
    stream.open(opening.getBytes(StandardCharsets.UTF_8));

    Subscription subscription = fanout.subscribe(caller.tenant(), filter, from, conflate, stream);
    stream.attach(subscription);
    if (caller.keyId() != null && !keys.isActive(caller.keyId())) {
      subscription.end(GapReason.REVOKED);
    }
  }

  private void closed(SseStream stream) {
    open.remove(stream);
    connections.remove(stream);
  }

  @Override
  public void destroy() {
    heartbeats.shutdownNow();
  }
}
