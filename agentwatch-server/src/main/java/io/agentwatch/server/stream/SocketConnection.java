package io.agentwatch.server.stream;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.ingest.TooLargeException;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.EventValidator;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.command.AgentChannels;
import io.agentwatch.server.ingest.IngestAnswers;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import jakarta.websocket.RemoteEndpoint;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.standard.StandardWebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One agent's or dashboard's WebSocket: its frames in, and acks, events and notices out.
 *
 * <p>Every bad frame gets an {@code error} frame and the socket stays open. Replies to publishes
 * go out in publish order through an {@link AckSequencer}; each subscription runs in its own
 * {@link SubscriptionPump}.
 */
final class SocketConnection implements Connections.Closable, SubscriptionPump.Sink, AgentChannels.Channel {

  private static final Logger LOG = LoggerFactory.getLogger(SocketConnection.class);
  private static final int MAX_SUBSCRIPTIONS = 100;
  private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);

  private final WebSocketSession session;
  private final Caller caller;
  private final Ingestor ingestor;
  private final Fanout fanout;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;
  private final AgentChannels agents;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final Map<String, SubscriptionPump> pumps = new ConcurrentHashMap<>();
  private final AckSequencer acks;
  private final RemoteEndpoint.Basic remote;
  private volatile boolean ended;
  private volatile String agentId;

  SocketConnection(WebSocketSession session, Caller caller, Ingestor ingestor, Fanout fanout,
      TenantRateLimits rateLimits, Lifecycle lifecycle, AgentChannels agents, Executor executor) {
    this.session = session;
    this.caller = caller;
    this.ingestor = ingestor;
    this.fanout = fanout;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
    this.agents = agents;
    this.acks = new AckSequencer(this::frame, executor);
    this.remote = batchingRemote(session);
  }

  /** The agent that announced itself with {@code hello}, or null. */
  String agentId() {
    return agentId;
  }

  void receive(String payload) {
    if (ended) {
      return;
    }
    JsonNode frame;
    try {
      frame = EventCodec.JSON.readTree(payload);
    } catch (JacksonException e) {
      sendError(400, "frame is not valid JSON: " + e.getOriginalMessage(), null);
      return;
    }
    if (frame == null || !frame.isObject() || frame.get("op") == null || !frame.get("op").isString()) {
      sendError(400, "frame must be a JSON object with a string 'op'", null);
      return;
    }
    JsonNode ref = frame.get("ref");
    String op = frame.get("op").stringValue();
    if (op.equals("publish")) {
      acks.enqueue(publish(frame, payload.length(), ref));
      return;
    }
    try {
      switch (op) {
        case "subscribe" -> subscribe(frame);
        case "unsubscribe" -> unsubscribe(frame);
        case "hello" -> hello(frame);
        case "ping" -> frame(ref == null ? Map.of("op", "pong") : Map.of("op", "pong", "ref", ref));
        default -> sendError(400, "unknown op '" + op + "'; expected publish, subscribe, unsubscribe, hello or ping",
            ref);
      }
    } catch (RuntimeException e) {
      sendError(statusOf(e), e.getMessage(), ref);
    }
  }

  /** The reply to one publish: its ack once durable, or the error frame (never a failed future). */
  private CompletableFuture<Map<String, ?>> publish(JsonNode frame, int frameLength, JsonNode ref) {
    try {
      caller.require(Scope.INGEST);
      lifecycle.requireAccepting();
      if (acks.full()) {
        throw ApiException.tooManyRequests("more than " + AckSequencer.MAX_IN_FLIGHT
            + " publishes await their ack; read the acks before publishing more", Duration.ofSeconds(1));
      }
      JsonNode events = frame.get("events");
      if (events == null || !events.isArray()) {
        throw ApiException.badRequest("publish needs 'events': an array of events");
      }
      if (events.size() > Batch.MAX_EVENTS) {
        throw new TooLargeException("a publish holds at most " + Batch.MAX_EVENTS + " events");
      }
      if (events.isEmpty()) {
        throw ApiException.badRequest("publish needs at least one event");
      }
      List<Batch.Item> items = new ArrayList<>(events.size());
      // A char takes at most 3 bytes in UTF-8, so this bounds every event's size; an event is
      // measured exactly only when the bound says it might be over a limit.
      long frameBytesAtMost = 3L * frameLength;
      for (JsonNode event : events) {
        int bytes = frameBytesAtMost <= EventValidator.MAX_DATA_BYTES ? (int) frameBytesAtMost
            : EventCodec.JSON.writeValueAsBytes(event).length;
        items.add(new Batch.Item(event, bytes, null));
      }
      rateLimits.acquire(caller.tenant(), items.size());
      return ingestor.ingest(caller.tenant(), new Batch(items)).handle((result, failure) -> failure == null
          ? IngestAnswers.ack(result, ref)
          : error(503, "events were not stored, publish them again: " + rootMessage(failure), ref));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(error(statusOf(e), e.getMessage(), ref));
    }
  }

  private void subscribe(JsonNode frame) {
    caller.require(Scope.READ);
    lifecycle.requireAccepting();
    String id = text(frame, "id");
    if (id == null || id.isEmpty() || id.length() > 64) {
      throw ApiException.badRequest("subscribe needs an 'id' of 1-64 characters");
    }
    if (pumps.containsKey(id)) {
      throw ApiException.badRequest("subscription '" + id + "' exists; unsubscribe first or pick another id");
    }
    if (pumps.size() >= MAX_SUBSCRIPTIONS) {
      throw ApiException.badRequest("at most " + MAX_SUBSCRIPTIONS + " subscriptions per connection");
    }
    JsonNode f = frame.get("filter");
    if (f != null && !f.isNull() && !f.isObject()) {
      throw ApiException.badRequest("filter must be an object with runId, agentId and types");
    }
    EventFilter filter = StreamRequests.filter(text(f, "runId"), text(f, "agentId"), types(f));
    var after = StreamRequests.cursor(text(frame, "after"));
    SubscriptionPump pump = new SubscriptionPump(id, fanout.subscribe(caller.tenant(), filter, after), this,
        p -> pumps.remove(p.id(), p));
    pumps.put(id, pump);
    frame(Map.of("op", "subscribed", "sub", id));
    Thread.ofVirtual().name("ws-sub-" + id).start(pump);
  }

  private static List<String> types(JsonNode filter) {
    JsonNode types = filter == null ? null : filter.get("types");
    if (types == null || types.isNull()) {
      return List.of();
    }
    if (!types.isArray() || !types.valueStream().allMatch(JsonNode::isString)) {
      throw ApiException.badRequest("filter.types must be an array of strings");
    }
    return types.valueStream().map(JsonNode::stringValue).toList();
  }

  private void unsubscribe(JsonNode frame) {
    String id = text(frame, "id");
    SubscriptionPump pump = id == null ? null : pumps.remove(id);
    if (pump == null) {
      throw ApiException.badRequest("no subscription with id '" + id + "'");
    }
    pump.subscription().close();
    frame(Map.of("op", "unsubscribed", "sub", id));
  }

  private void hello(JsonNode frame) {
    String id = text(frame, "agentId");
    if (id == null || id.isEmpty() || id.length() > 128) {
      throw ApiException.badRequest("hello needs an 'agentId' of 1-128 characters");
    }
    String previous = agentId;
    agentId = id;
    if (previous != null) {
      agents.gone(new AgentChannels.AgentKey(caller.tenant(), previous), this);
    }
    AgentChannels.AgentKey agent = new AgentChannels.AgentKey(caller.tenant(), id);
    // Connected before the welcome goes out, so a command issued the moment the agent sees it finds
    // the agent; and welcome first, since holding the send lock keeps any command sent to this
    // connection meanwhile behind it. The commands that were waiting follow.
    sendLock.lock();
    try {
      agents.register(agent, this);
      frame(Map.of("op", "welcome", "agentId", id));
    } finally {
      sendLock.unlock();
    }
    agents.welcomed(agent, this);
  }

  /**
   * Ends the connection: no more frames are taken, every subscription gets a resumable gap, and
   * the socket closes — on shutdown once the acks in flight went out, on revocation at once.
   */
  @Override
  public CompletableFuture<Void> end(String reason) {
    ended = true;
    pumps.values().forEach(p -> p.subscription().end(reason));
    boolean revoked = "revoked".equals(reason);
    CompletableFuture<Void> closedNow = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      if (!revoked) {
        try {
          acks.drained().get(SHUTDOWN_ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
          // Unacknowledged publishes are retried by the client; nothing was acked wrongly.
        }
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (!pumps.isEmpty() && System.nanoTime() < deadline) {
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          break;
        }
      }
      closeQuietly(revoked ? CloseStatus.POLICY_VIOLATION.withReason("key revoked")
          : CloseStatus.GOING_AWAY.withReason("server shutting down; resume from your cursor"));
      closedNow.complete(null);
    });
    return closedNow;
  }

  /** The socket closed: stop everything that serves it. */
  void closed() {
    ended = true;
    String id = agentId;
    if (id != null) {
      agents.gone(new AgentChannels.AgentKey(caller.tenant(), id), this);
    }
    pumps.values().forEach(p -> p.subscription().close());
  }

  void sendError(int status, String message, JsonNode ref) {
    frame(error(status, message, ref));
  }

  private static Map<String, ?> error(int status, String message, JsonNode ref) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "error");
    frame.put("status", status);
    frame.put("error", message);
    if (ref != null) {
      frame.put("ref", ref);
    }
    return frame;
  }

  @Override
  public void frame(Map<String, ?> frame) {
    raw(EventCodec.JSON.writeValueAsString(frame));
    flush();
  }

  /**
   * Sends a text frame; with the container's batching on it may wait in the socket's buffer until
   * {@link #flush()}, so a burst of events costs a few writes instead of one per event.
   */
  @Override
  public void raw(String json) {
    sendLock.lock();
    try {
      if (session.isOpen()) {
        session.sendMessage(new TextMessage(json));
      }
    } catch (IOException | IllegalStateException e) {
      closeQuietly(CloseStatus.SESSION_NOT_RELIABLE);
    } finally {
      sendLock.unlock();
    }
  }

  @Override
  public void flush() {
    if (remote == null) {
      return;
    }
    sendLock.lock();
    try {
      if (session.isOpen()) {
        remote.flushBatch();
      }
    } catch (IOException | IllegalStateException e) {
      closeQuietly(CloseStatus.SESSION_NOT_RELIABLE);
    } finally {
      sendLock.unlock();
    }
  }

  /** The container's endpoint with batching on, or null when the session is not a standard one. */
  private static RemoteEndpoint.Basic batchingRemote(WebSocketSession session) {
    if (session instanceof StandardWebSocketSession standard) {
      try {
        RemoteEndpoint.Basic basic = standard.getNativeSession().getBasicRemote();
        basic.setBatchingAllowed(true);
        return basic;
      } catch (IOException | IllegalStateException e) {
        return null;
      }
    }
    return null;
  }

  @Override
  public boolean open() {
    return session.isOpen();
  }

  private void closeQuietly(CloseStatus status) {
    try {
      session.close(status);
    } catch (IOException e) {
      // Already gone.
    }
  }

  private static int statusOf(RuntimeException e) {
    return switch (e) {
      case ApiException api -> api.status().value();
      case TooLargeException tooLarge -> 413;
      case UnavailableException unavailable -> 503;
      default -> {
        LOG.error("unexpected failure while handling a WebSocket frame", e);
        yield 500;
      }
    };
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString()) {
      throw ApiException.badRequest(field + " must be a string");
    }
    return value.stringValue();
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
