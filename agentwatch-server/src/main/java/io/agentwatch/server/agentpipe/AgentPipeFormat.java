package io.agentwatch.server.agentpipe;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import io.agentwatch.server.stream.SseFormat;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * AgentPipe's own stream shape: every event is an unnamed SSE message whose data is
 * {@code {"type","timestamp","data"}} with the AgentPipe event as its CLI sent it, after a first
 * {@code connected} message — what AgentPipe's web client reads. Only events that stand for an
 * AgentPipe event (those carrying {@code data.agentpipe}) are shown; each message also has its
 * cursor as {@code id:}, so an EventSource resumes without a gap.
 */
final class AgentPipeFormat implements SseFormat {

  private final String opening;

  AgentPipeFormat(String conversationId, Instant now) {
    Map<String, Object> connected = new LinkedHashMap<>();
    connected.put("type", "connected");
    connected.put("timestamp", now.toString());
    connected.put("message", conversationId == null ? "Subscribed to all events"
        : "Subscribed to conversation " + conversationId);
    this.opening = "data: " + EventCodec.JSON.writeValueAsString(connected) + "\n\n";
  }

  @Override
  public String opening() {
    return opening;
  }

  @Override
  public byte[] message(String cursor, StoredEvent stored) {
    JsonNode shown = shape(stored.event());
    return shown == null ? null
        : SseFormat.utf8("id: " + cursor + "\ndata: " + EventCodec.JSON.writeValueAsString(shown) + "\n\n");
  }

  /** The AgentPipe event an Agentwatch event stands for, or null when it stands for none. */
  static JsonNode shape(Event event) {
    JsonNode original = event.data().get("agentpipe");
    if (original == null || !original.isObject() || !original.path("type").isString()
        || !original.path("data").isObject()) {
      return null;
    }
    ObjectNode data = ((ObjectNode) original.get("data")).deepCopy();
    JsonNode content = event.data().get("content");
    if (event.type().equals("message.sent") && content != null && !data.has("content")) {
      data.set("content", content);
    }
    ObjectNode shown = EventCodec.JSON.createObjectNode();
    shown.put("type", original.get("type").stringValue());
    shown.put("timestamp", event.ts().toString());
    shown.set("data", data);
    return shown;
  }
}
