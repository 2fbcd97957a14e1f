package io.agentwatch.server.demo;

import io.agentwatch.model.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One simulated agent with its own WebSocket to the server, speaking the public protocol like any
 * real agent: {@code hello}, then one {@code publish} per event, waiting for its {@code ack} so
 * that what the agent hands to others is already stored (causal order across agents).
 */
final class DemoAgent implements AutoCloseable {

  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final String agentId;
  private final WebSocket socket;
  private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

  private DemoAgent(String agentId, WebSocket socket) {
    this.agentId = agentId;
    this.socket = socket;
  }

  static DemoAgent connect(HttpClient http, URI uri, String key, String agentId) {
    DemoAgent[] self = new DemoAgent[1];
    WebSocket.Builder builder = http.newWebSocketBuilder();
    if (key != null) {
      builder.header("Authorization", "Bearer " + key);
    }
    WebSocket socket = builder.buildAsync(uri, new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (self[0] != null) {
          self[0].onFrame(data.toString());
        }
        ws.request(1);
        return null;
      }
    }).orTimeout(10, TimeUnit.SECONDS).join();
    DemoAgent agent = new DemoAgent(agentId, socket);
    self[0] = agent;
    agent.sendFrame(Map.of("op", "hello", "agentId", agentId));
    return agent;
  }

  String id() {
    return agentId;
  }

  private void onFrame(String text) {
    JsonNode frame = EventCodec.JSON.readTree(text);
    JsonNode ref = frame.get("ref");
    CompletableFuture<Void> waiting = ref == null ? null : pending.remove(ref.asString());
    if (waiting != null) {
      if ("ack".equals(frame.get("op").asString())) {
        waiting.complete(null);
      } else {
        waiting.completeExceptionally(new IllegalStateException(frame.toString()));
      }
    }
  }

  /** Publishes one event, waits until it is stored, and returns its id. */
  String emit(String type, String runId, String parentId, String target, Map<String, Object> data) {
    String id = "demo-" + Long.toString(System.currentTimeMillis(), 36) + "-" + SEQUENCE.incrementAndGet();
    ObjectNode event = EventCodec.JSON.createObjectNode();
    event.put("id", id);
    event.put("type", type);
    event.put("agentId", agentId);
    if (runId != null) {
      event.put("runId", runId);
    }
    event.put("ts", Instant.now().toString());
    if (parentId != null) {
      event.put("parentId", parentId);
    }
    if (target != null) {
      event.put("target", target);
    }
    event.set("data", EventCodec.JSON.valueToTree(data));
    CompletableFuture<Void> acked = new CompletableFuture<>();
    pending.put(id, acked);
    sendFrame(Map.of("op", "publish", "ref", id, "events", List.of(event)));
    try {
      acked.orTimeout(10, TimeUnit.SECONDS).join();
    } finally {
      pending.remove(id);
    }
    return id;
  }

  private synchronized void sendFrame(Map<String, Object> frame) {
    socket.sendText(EventCodec.JSON.writeValueAsString(frame), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "demo stopping");
    }
    socket.abort();
  }
}
