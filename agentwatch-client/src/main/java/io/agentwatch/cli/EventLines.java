package io.agentwatch.cli;

import io.agentwatch.model.EventCodec;
import java.io.PrintWriter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * How commands print events: one line each, either the delivered JSON as is ({@code --json},
 * NDJSON for other tools) or {@code ts  agent  type  [run]  data} for people.
 */
final class EventLines {

  private final PrintWriter out;
  private final boolean json;

  EventLines(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  void print(String eventJson) {
    if (json) {
      out.println(eventJson);
    } else {
      print(EventCodec.JSON.readTree(eventJson));
    }
  }

  void print(JsonNode event) {
    if (json) {
      out.println(EventCodec.JSON.writeValueAsString(event));
      return;
    }
    StringBuilder line = new StringBuilder();
    line.append(event.path("ts").asString("")).append("  ")
        .append(event.path("agentId").asString("")).append("  ")
        .append(event.path("type").asString(""));
    String run = event.path("runId").asString(null);
    if (run != null) {
      line.append("  [").append(run).append(']');
    }
    String target = event.path("target").asString(null);
    if (target != null) {
      line.append("  -> ").append(target);
    }
    JsonNode data = event.get("data");
    if (data instanceof ObjectNode o && !o.isEmpty()) {
      line.append("  ").append(EventCodec.JSON.writeValueAsString(data));
    }
    out.println(line);
  }

  void flush() {
    out.flush();
  }
}
