package io.agentwatch.server.stream;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.ingest.TooLargeException;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.core.stream.Subscription;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.EventValidator;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.command.AgentChannels;
import io.agentwatch.server.ingest.IngestAnswers;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.WebSocketSession;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One agent's or dashboard's WebSocket: its frames in, and acks, events and notices out.
 *
 * <p>Every bad frame gets an {@code error} frame and the socket stays open. Replies to publishes
 * go out in publish order through an {@link AckSequencer}; each subscription pushes its events
 * through a {@link SocketSubscriptionSink}; everything leaves through the connection's one
 * non-blocking {@link SocketOutlet}, so no thread waits on a slow client.
 */
final class SocketConnection implements Connections.Closable, AgentChannels.Channel {

  private static final Logger LOG = LoggerFactory.getLogger(SocketConnection.class);
  static final int MAX_SUBSCRIPTIONS = 100;
  /** Subscribe and unsubscribe frames a connection may send: a burst of this many, then {@link #CHANGES_PER_SECOND}. */
  static final int CHANGES_BURST = 100;
  static final int CHANGES_PER_SECOND = 20;
  private static final Set<String> SUBSCRIBE_FIELDS = Set.of("op", "id", "filter", "after", "batch", "conflate", "ref");
  private static final Set<String> FILTER_FIELDS = Set.of("runId", "agentId", "types");
  private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);
  private static final Duration GAP_WAIT = Duration.ofSeconds(1);

  private final WebSocketSession session;
  private final Caller caller;
  private final Ingestor ingestor;
  private final Fanout fanout;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;
  private final AgentChannels agents;
  private final SocketOutlet outlet;
  private final ReentrantLock welcomeLock = new ReentrantLock();
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> ending = new ConcurrentHashMap<>();
  private final AckSequencer acks;
  private final TokenBucket changes = new TokenBucket(CHANGES_BURST, CHANGES_PER_SECOND);
  private volatile boolean ended;
  private volatile String agentId;

  SocketConnection(WebSocketSession session, SocketOutlet outlet, Caller caller, Ingestor ingestor, Fanout fanout,
      TenantRateLimits rateLimits, Lifecycle lifecycle, AgentChannels agents, Executor executor) {
    this.session = session;
    this.outlet = outlet;
    this.caller = caller;
    this.ingestor = ingestor;
    this.fanout = fanout;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
    this.agents = agents;
    this.acks = new AckSequencer(this::frame, executor);
  }

  Caller caller() {
    return caller;
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
        case "subscribe" -> subscribe(frame, ref);
        case "unsubscribe" -> unsubscribe(frame, ref);
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

  private void subscribe(JsonNode frame, JsonNode ref) {
    caller.require(Scope.READ);
    lifecycle.requireAccepting();
    spendChange();
    unknownFields(frame, SUBSCRIBE_FIELDS, "");
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
    if (f != null && f.isObject()) {
      unknownFields(f, FILTER_FIELDS, "filter.");
    }
    EventFilter filter = StreamRequests.filter(text(f, "runId"), text(f, "agentId"), types(f));
    Cursor after = StreamRequests.cursor(text(frame, "after"));
    boolean batch = flag(frame, "batch");
    boolean conflate = flag(frame, "conflate");
    CompletableFuture<Void> over = new CompletableFuture<>();
    ending.put(id, over);
    // Confirmed before the subscription starts, so its first events follow the confirmation.
    frame(ref == null ? Map.of("op", "subscribed", "sub", id) : Map.of("op", "subscribed", "sub", id, "ref", ref));
    SocketSubscriptionSink sink = new SocketSubscriptionSink(id, outlet, batch, reason -> {
      subscriptions.remove(id);
      ending.remove(id);
      over.complete(null);
    });
    Subscription subscription = fanout.subscribe(caller.tenant(), filter, after, conflate, sink);
    if (subscription.isOpen()) {
      subscriptions.put(id, subscription);
    }
  }

  private void spendChange() {
    if (!changes.tryTake()) {
      throw ApiException.tooManyRequests("more than " + CHANGES_PER_SECOND + " subscribe or unsubscribe frames a second"
          + " (bursts of " + CHANGES_BURST + "); slow down", Duration.ofSeconds(1));
    }
  }

  private static void unknownFields(JsonNode object, Set<String> known, String path) {
    for (String name : object.propertyNames()) {
      if (!known.contains(name)) {
        throw ApiException.badRequest(path + name + " is not a subscribe option; known: "
            + known.stream().sorted().map(k -> path + k).toList());
      }
    }
  }

  private static boolean flag(JsonNode frame, String field) {
    JsonNode value = frame.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw ApiException.badRequest(field + " must be true or false but was " + value);
    }
    return value.booleanValue();
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

  private void unsubscribe(JsonNode frame, JsonNode ref) {
    spendChange();
    String id = text(frame, "id");
    Subscription subscription = id == null ? null : subscriptions.remove(id);
    if (subscription == null) {
      throw ApiException.badRequest("no subscription with id '" + id + "'");
    }
    subscription.close();
    CompletableFuture<Void> over = ending.remove(id);
    if (over != null) {
      over.complete(null);
    }
    frame(ref == null ? Map.of("op", "unsubscribed", "sub", id)
        : Map.of("op", "unsubscribed", "sub", id, "ref", ref));
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
    // the agent; and welcome first, since commands to this connection wait for this lock, so they
    // follow the welcome. The commands that were waiting follow.
    welcomeLock.lock();
    try {
      agents.register(agent, this);
      frame(Map.of("op", "welcome", "agentId", id));
    } finally {
      welcomeLock.unlock();
    }
    agents.welcomed(agent, this);
  }

  /**
   * Ends the connection: no more frames are taken, every subscription gets a resumable gap, and
   * the socket closes — on shutdown once the acks in flight went out, on revocation at once.
   */
  @Override
  public CompletableFuture<Void> end(GapReason reason) {
    ended = true;
    List<CompletableFuture<Void>> gaps = new ArrayList<>(ending.values());
    subscriptions.values().forEach(s -> s.end(reason));
    boolean revoked = reason == GapReason.REVOKED;
    CompletableFuture<Void> acked = revoked ? CompletableFuture.completedFuture(null)
        : acks.drained().copy().completeOnTimeout(null, SHUTDOWN_ACK_WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .exceptionally(failure -> null);
    CompletableFuture<Void> gapsSent = CompletableFuture.allOf(gaps.toArray(CompletableFuture[]::new))
        .completeOnTimeout(null, GAP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    // Unacknowledged publishes are retried by the client; nothing was acked wrongly.
    return acked.thenCombine(gapsSent, (a, b) -> null).thenRun(() -> closeQuietly(revoked
        ? CloseStatus.POLICY_VIOLATION.withReason("key revoked")
        : CloseStatus.GOING_AWAY.withReason("server shutting down; resume from your cursor")));
  }

  /** The socket closed: stop everything that serves it. */
  void closed() {
    ended = true;
    String id = agentId;
    if (id != null) {
      agents.gone(new AgentChannels.AgentKey(caller.tenant(), id), this);
    }
    subscriptions.values().forEach(Subscription::close);
    subscriptions.clear();
    ending.values().forEach(f -> f.complete(null));
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
    if (status == 429) {
      frame.put("retryAfterMs", 1000);
    }
    return frame;
  }

  @Override
  public void frame(Map<String, ?> frame) {
    ByteBuffer bytes = ByteBuffer.wrap(EventCodec.JSON.writeValueAsBytes(frame));
    welcomeLock.lock();
    try {
      if (session.isOpen()) {
        outlet.send(bytes, false);
      }
    } finally {
      welcomeLock.unlock();
    }
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
