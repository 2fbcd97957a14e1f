package io.agentwatch.server.state;

import io.agentwatch.core.Digests;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.state.Projection;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.model.Problem;
import io.agentwatch.server.ingest.DurableAppend;
import io.agentwatch.server.web.ApiException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The all-or-nothing part of a session upload, shared by {@code POST /api/v1/sessions} and the
 * uploads of other wire formats: every event is checked before anything is stored, then all go
 * into the log in one atomic append, followed by a {@code run.completed} marker when the session
 * carries no end of its own. The marker's id is derived from the run, so uploading the same
 * session again stores nothing new.
 */
public final class SessionUploads {

  /** What an upload stored: events new to the log, and those that were already there. */
  public record Stored(String runId, long accepted, long duplicates) {}

  private final DurableAppend append;

  public SessionUploads(DurableAppend append) {
    this.append = append;
  }

  /**
   * The events of a session as given, each checked; every problem is collected with its index
   * ({@code events[3].ts}). The run id is filled in where absent and must be equal where present.
   */
  public static List<Event> validate(String runId, JsonNode events, List<Problem> problems) {
    List<Event> valid = new ArrayList<>(events.size());
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode node = events.get(i);
      String at = "events[" + i + "]";
      if (node.isObject() && node.get("runId") != null && !node.get("runId").isNull()
          && !runId.equals(node.get("runId").asString())) {
        problems.add(new Problem(at + ".runId", "must be absent or equal to the session's runId '" + runId
            + "' but was '" + node.get("runId").asString() + "'"));
        continue;
      }
      try {
        Event event = EventCodec.decode(node);
        Integer first = seen.putIfAbsent(event.id(), i);
        if (first != null) {
          problems.add(new Problem(at + ".id", "repeats events[" + first + "].id '" + event.id() + "'"));
        }
        valid.add(event.runId() == null ? event.withRunId(runId) : event);
      } catch (InvalidEventException e) {
        e.problems().forEach(p -> problems.add(p.under(at)));
      }
    }
    return valid;
  }

  /** The answer to an upload with problems: every one listed, and nothing stored. */
  public static ApiException refused(HttpStatus status, List<Problem> problems) {
    return new ApiException(status, problems.size() + " problem(s); nothing was stored: " + problems.getFirst().message())
        .with("problems", problems.stream().map(p -> Map.of("path", p.path(), "reason", p.reason())).toList());
  }

  /**
   * Stores a session's valid events at once, durably. With {@code endIfMissing}, a session that
   * holds neither {@code run.completed} nor {@code run.failed} is closed with a derived
   * {@code run.completed} (not counted in the answer).
   */
  public Stored store(String tenant, String runId, List<Event> valid, boolean endIfMissing) {
    List<Event> toStore = new ArrayList<>(valid);
    if (endIfMissing && valid.stream().noneMatch(SessionUploads::isEnd)) {
      toStore.add(endMarker(runId, valid));
    }
    List<AppendResult> results = append.append(tenant, toStore);
    long accepted = results.subList(0, valid.size()).stream().filter(r -> !r.isDuplicate()).count();
    return new Stored(runId, accepted, valid.size() - accepted);
  }

  private static boolean isEnd(Event e) {
    return e.type().equals(Projection.RUN_COMPLETED) || e.type().equals(Projection.RUN_FAILED);
  }

  private static Event endMarker(String runId, List<Event> events) {
    Instant end = events.stream().map(Event::ts).max(Instant::compareTo).orElseThrow();
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("source", "upload");
    data.put("events", events.size());
    String id = "run-end:" + Digests.sha256Hex(runId).substring(0, 40);
    return new Event(id, Projection.RUN_COMPLETED, Edits.API_AGENT, runId, end, null, null, data);
  }
}
