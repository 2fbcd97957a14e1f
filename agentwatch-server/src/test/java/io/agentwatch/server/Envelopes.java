package io.agentwatch.server;

import io.agentwatch.model.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** Event envelopes as JSON, the way a producer writes them. */
public final class Envelopes {

  private Envelopes() {}

  public static ObjectNode log(String id, String agentId, String runId) {
    return event(id, "log", agentId, runId, Map.of("level", "info", "message", "line " + id));
  }

  public static ObjectNode event(String id, String type, String agentId, String runId, Map<String, ?> data) {
    ObjectNode e = EventCodec.JSON.createObjectNode();
    e.put("id", id);
    e.put("type", type);
    e.put("agentId", agentId);
    if (runId != null) {
      e.put("runId", runId);
    }
    e.put("ts", "2026-11-28T16:00:00.123Z");
    e.set("data", EventCodec.JSON.valueToTree(data));
    return e;
  }

  /** An event at a given producer time. */
  public static ObjectNode at(String ts, String id, String type, String agentId, String runId, Map<String, ?> data) {
    ObjectNode e = event(id, type, agentId, runId, data);
    e.put("ts", ts);
    return e;
  }

  /** {@code count} log events {@code prefix-0…} of one agent, as a JSON array. */
  public static String batch(String prefix, String agentId, int count) {
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(log(prefix + "-" + i, agentId, "run-1"));
    }
    return array(events);
  }

  public static String array(List<?> events) {
    return EventCodec.JSON.writeValueAsString(events);
  }
}
