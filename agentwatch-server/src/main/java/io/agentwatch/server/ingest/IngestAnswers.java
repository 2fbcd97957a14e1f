package io.agentwatch.server.ingest;

import io.agentwatch.core.ingest.IngestResult;
import io.agentwatch.model.Problem;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON shapes of ingest results, shared by HTTP and WebSocket. */
public final class IngestAnswers {

  private IngestAnswers() {}

  /** {@code {"accepted":n,"duplicates":n,"rejected":[…]}} of {@code POST /api/v1/events}. */
  public static Map<String, Object> http(IngestResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("accepted", result.accepted());
    body.put("duplicates", result.duplicates());
    body.put("rejected", rejected(result));
    return body;
  }

  /** {@code {"op":"ack","ids":[…],"duplicates":[…],"rejected":[…]}} of a WebSocket publish. */
  public static Map<String, Object> ack(IngestResult result, Object ref) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "ack");
    if (ref != null) {
      frame.put("ref", ref);
    }
    frame.put("ids", result.acceptedIds());
    frame.put("duplicates", result.duplicateIds());
    frame.put("rejected", rejected(result));
    return frame;
  }

  public static List<Map<String, Object>> rejected(IngestResult result) {
    return result.rejected().stream().map(r -> {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("index", r.index());
      item.put("id", r.id());
      item.put("error", r.error());
      item.put("problems", r.problems().stream().map(IngestAnswers::problem).toList());
      return item;
    }).toList();
  }

  private static Map<String, String> problem(Problem p) {
    return Map.of("path", p.path(), "reason", p.reason());
  }
}
