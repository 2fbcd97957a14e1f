package io.agentwatch.server.stream;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.ingest.IngestResult;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.ingest.TooLargeException;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.Subscription;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ingest.IngestAnswers;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;

/**
 * One agent's or dashboard's WebSocket: its frames in, and acks, events and notices out.
 *
 * <p>Every bad frame gets an {@code error} frame and the socket stays open. Acks go out in the
 * order of the publishes (a chain of futures), after durability, from a virtual thread, never from
 * the log's writer. Each subscription has its own virtual thread that blocks on the socket if the
 * client is slow, which only lets that subscription's queue fill until it gets a {@code gap}.
 */
final class SocketConnection implements Connections.Closable {

  private static final int MAX_SUBSCRIPTIONS = 100;
  private static final Duration POLL = Duration.ofSeconds(30);

  private final WebSocketSession session;
  private final Caller caller;
  private final Ingestor ingestor;
  private final Fanout fanout;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;
  private final Executor executor;
  private final ReentrantLock sendLock = new ReentrantLock();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final List<Thread> pumps = new ArrayList<>();
  private CompletableFuture<Void> acks = CompletableFuture.completedFuture(null);
  private volatile String agentId;

  SocketConnection(WebSocketSession session, Caller caller, Ingestor ingestor, Fanout fanout,
      TenantRateLimits rateLimits, Lifecycle lifecycle, Executor executor) {
    this.session = session;
    this.caller = caller;
    this.ingestor = ingestor;
    this.fanout = fanout;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
    this.executor = executor;
  }

  Caller caller() {
    return caller;
  }

  /** The agent that announced itself with {@code hello}, or null. */
  String agentId() {
    return agentId;
  }

  void receive(String payload) {
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
    try {
      switch (frame.get("op").stringValue()) {
        case "publish" -> publish(frame, payload.length(), ref);
        case "subscribe" -> subscribe(frame);
        case "unsubscribe" -> unsubscribe(frame);
        case "hello" -> hello(frame);
        case "ping" -> send(ref == null ? Map.of("op", "pong") : Map.of("op", "pong", "ref", ref));
        default -> sendError(400, "unknown op '" + frame.get("op").stringValue()
            + "'; expected publish, subscribe, unsubscribe, hello or ping", ref);
      }
    } catch (ApiException e) {
      sendError(e.status().value(), e.getMessage(), ref);
    } catch (TooLargeException e) {
      sendError(413, e.getMessage(), ref);
    } catch (UnavailableException e) {
      sendError(503, e.getMessage(), ref);
    }
  }

  private void publish(JsonNode frame, int frameLength, JsonNode ref) {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
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
    for (JsonNode event : events) {
      // A frame within the per-event limit cannot hold an event over it; only big frames pay for sizing.
      int bytes = frameLength <= Batch.MAX_EVENT_BYTES ? frameLength : EventCodec.JSON.writeValueAsBytes(event).length;
      items.add(new Batch.Item(event, bytes, null));
    }
    rateLimits.acquire(caller.tenant(), items.size());
    CompletableFuture<IngestResult> result = ingestor.ingest(caller.tenant(), new Batch(items));
    synchronized (this) {
      acks = acks.thenCompose(ignored -> result).handleAsync((r, failure) -> {
        if (failure == null) {
          send(IngestAnswers.ack(r, ref));
        } else {
          sendError(503, "events were not stored, publish them again: " + rootMessage(failure), ref);
        }
        return null;
      }, executor);
    }
  }

  private void subscribe(JsonNode frame) {
    caller.require(Scope.READ);
    lifecycle.requireAccepting();
    String id = text(frame, "id");
    if (id == null || id.isEmpty() || id.length() > 64) {
      throw ApiException.badRequest("subscribe needs an 'id' of 1-64 characters");
    }
    if (subscriptions.containsKey(id)) {
      throw ApiException.badRequest("subscription '" + id + "' exists; unsubscribe first or pick another id");
    }
    if (subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      throw ApiException.badRequest("at most " + MAX_SUBSCRIPTIONS + " subscriptions per connection");
    }
    JsonNode f = frame.get("filter");
    if (f != null && !f.isNull() && !f.isObject()) {
      throw ApiException.badRequest("filter must be an object with runId, agentId and types");
    }
    List<String> types = new ArrayList<>();
    JsonNode typesNode = f == null ? null : f.get("types");
    if (typesNode != null && !typesNode.isNull()) {
      if (!typesNode.isArray()) {
        throw ApiException.badRequest("filter.types must be an array of strings");
      }
      for (JsonNode t : typesNode) {
        if (!t.isString()) {
          throw ApiException.badRequest("filter.types must be an array of strings");
        }
        types.add(t.stringValue());
      }
    }
    EventFilter filter = StreamRequests.filter(text(f, "runId"), text(f, "agentId"), types);
    var after = StreamRequests.cursor(text(frame, "after"));
    Subscription subscription = fanout.subscribe(caller.tenant(), filter, after);
    subscriptions.put(id, subscription);
    send(Map.of("op", "subscribed", "sub", id));
    Thread pump = Thread.ofVirtual().name("ws-sub-" + id).start(() -> pump(id, subscription));
    synchronized (pumps) {
      pumps.add(pump);
    }
  }

  private void pump(String id, Subscription subscription) {
    String quotedId = quote(id);
    try {
      while (subscription.isOpen() && session.isOpen()) {
        Delivery d = subscription.next(POLL);
        switch (d) {
          case null -> { }
          case Delivery.Item item -> sendRaw("{\"op\":\"event\",\"sub\":" + quotedId + ",\"cursor\":\""
              + item.cursor() + "\",\"event\":" + item.event().json() + "}");
          case Delivery.Gap gap -> {
            subscriptions.remove(id, subscription);
            send(Map.of("op", "gap", "sub", id, "resumeFrom", gap.resumeFrom().toString(), "reason", gap.reason()));
          }
          case Delivery.Reset reset -> send(Map.of("op", "reset", "sub", id, "resumeFrom", reset.head().toString()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      subscription.close();
    }
  }

  private void unsubscribe(JsonNode frame) {
    String id = text(frame, "id");
    Subscription subscription = id == null ? null : subscriptions.remove(id);
    if (subscription == null) {
      throw ApiException.badRequest("no subscription with id '" + id + "'");
    }
    subscription.close();
    send(Map.of("op", "unsubscribed", "sub", id));
  }

  private void hello(JsonNode frame) {
    String id = text(frame, "agentId");
    if (id == null || id.isEmpty() || id.length() > 128) {
      throw ApiException.badRequest("hello needs an 'agentId' of 1-128 characters");
    }
    agentId = id;
  }

  /** Ends every subscription with a resumable gap, then closes the socket. */
  @Override
  public void end(String reason) {
    subscriptions.values().forEach(s -> s.end(reason));
    Thread.ofVirtual().start(() -> {
      List<Thread> running;
      synchronized (pumps) {
        running = List.copyOf(pumps);
      }
      for (Thread t : running) {
        try {
          t.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      closeQuietly("revoked".equals(reason) ? CloseStatus.POLICY_VIOLATION.withReason("key revoked")
          : CloseStatus.GOING_AWAY.withReason("server shutting down; resume from your cursor"));
    });
  }

  /** The socket closed: stop everything that serves it. */
  void closed() {
    subscriptions.values().forEach(Subscription::close);
    subscriptions.clear();
  }

  void sendError(int status, String message, JsonNode ref) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "error");
    frame.put("status", status);
    frame.put("error", message);
    if (ref != null) {
      frame.put("ref", ref);
    }
    send(frame);
  }

  void send(Map<String, ?> frame) {
    sendRaw(EventCodec.JSON.writeValueAsString(frame));
  }

  private void sendRaw(String json) {
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

  private void closeQuietly(CloseStatus status) {
    try {
      session.close(status);
    } catch (IOException e) {
      // Already gone.
    }
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

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
