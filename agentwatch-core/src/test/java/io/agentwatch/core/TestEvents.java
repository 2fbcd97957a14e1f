package io.agentwatch.core;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/** Small builders of valid events for tests. */
public final class TestEvents {

  private TestEvents() {}

  public static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  public static Event event(String id, String type, String agentId, String runId) {
    return event(id, type, agentId, runId, T0);
  }

  public static Event event(String id, String type, String agentId, String runId, Instant ts) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    if (type.startsWith("task.")) {
      data.put("taskId", "t-" + id);
    }
    if (type.equals("metric")) {
      data.put("name", "queue");
      data.put("value", 1);
    }
    return new Event(id, type, agentId, runId, ts, null, null, data);
  }

  public static Event log(String id, String agentId) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("level", "info");
    data.put("message", "m " + id);
    return new Event(id, "log", agentId, "run-1", T0, null, null, data);
  }
}
