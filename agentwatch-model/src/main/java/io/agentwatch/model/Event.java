package io.agentwatch.model;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * One event as a producer sent it: the envelope of API.md.
 *
 * <p>Instances are made by {@link EventCodec#decode} after {@link EventValidator} found no
 * problem, so the compact constructor only guards against programming errors. {@code data} is
 * owned by the event and must not be changed after construction.
 *
 * @param id       producer-made, unique per tenant; retries reuse it
 * @param type     dotted lower-case, e.g. {@code task.started}
 * @param agentId  the agent the event is about
 * @param runId    the multi-agent run (session, conversation), or null
 * @param ts       producer time
 * @param parentId causal parent event id, or null
 * @param target   receiving agent of an interaction, or null
 * @param data     the payload object
 */
public record Event(
    String id,
    String type,
    String agentId,
    String runId,
    Instant ts,
    String parentId,
    String target,
    ObjectNode data) {

  public Event {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(data, "data");
  }

  /** The same event with another run id (used when a session upload fills in its run). */
  public Event withRunId(String newRunId) {
    return new Event(id, type, agentId, newRunId, ts, parentId, target, data);
  }
}
