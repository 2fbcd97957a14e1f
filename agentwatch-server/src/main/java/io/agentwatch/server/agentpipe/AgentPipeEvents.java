package io.agentwatch.server.agentpipe;

import io.agentwatch.core.Digests;
import io.agentwatch.core.state.Projection;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.model.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Agentwatch events of one AgentPipe conversation's facts, shared by the live bridge
 * ({@code POST /api/ingest}) and the upload ({@code POST /api/sessions/upload}), so that both make
 * the same events with the same ids: a retry, or an upload of what was streamed, is a duplicate.
 *
 * <p>A conversation is a run; its participants are agents; the AgentPipe CLI itself is the agent
 * {@value #ORCHESTRATOR}, the hub every message goes to (AgentPipe agents speak to the whole
 * room, not to one another). The event that stands for an AgentPipe event carries it in
 * {@code data.agentpipe} ({@code type} and {@code data}, without the message content that is
 * already in {@code data.content}), which is how {@link AgentPipeFormat} streams it back in
 * AgentPipe's own shape.
 */
final class AgentPipeEvents {

  /** The agent id of the AgentPipe orchestrator (the CLI) in every conversation. */
  static final String ORCHESTRATOR = "agentpipe";

  /** A participant of a conversation. */
  record Participant(String agentId, String agentType, String name, String model, String agentVersion,
      String cliVersion) {}

  /** One message; {@code key} identifies it within its conversation (message id or sequence number). */
  record Message(String key, String agentId, String agentType, String content, String role, String model,
      Long inputTokens, Long outputTokens, Long tokensUsed, Double cost, Double durationMs) {}

  /** An envelope and where in the request it came from, for precise problems. */
  private record Sourced(ObjectNode envelope, String source) {}

  private final String conversationId;
  private final List<Sourced> envelopes = new ArrayList<>();

  AgentPipeEvents(String conversationId) {
    this.conversationId = conversationId;
  }

  /** The orchestrator starts the run; each participant registers in it. */
  void started(Instant ts, ObjectNode original, List<Participant> participants, String source) {
    ObjectNode data = data().put("role", "orchestrator").put("name", "AgentPipe");
    data.set("agentpipe", original("conversation.started", original));
    add(source, id("started"), "agent.registered", ORCHESTRATOR, ts, null, null, data);
    for (Participant p : participants) {
      ObjectNode reg = data().put("role", "participant").put("name", p.name() == null ? p.agentType() : p.name())
          .put("agentType", p.agentType());
      reg.putArray("capabilities").add(p.agentType());
      putText(reg, "model", p.model());
      putText(reg, "agentVersion", p.agentVersion());
      putText(reg, "cliVersion", p.cliVersion());
      add(source, id("participant", p.agentId()), "agent.registered", p.agentId(), ts, null, null, reg);
    }
  }

  /**
   * A message to the room, and the model call behind it when AgentPipe reported model, tokens or
   * cost. With only a total ({@code tokens_used}) the tokens not known to be input count as output.
   */
  void message(Instant ts, Message m, ObjectNode original, String source) {
    String messageId = id("message", m.key());
    ObjectNode data = data().put("to", ORCHESTRATOR).put("content", m.content());
    putText(data, "role", m.role());
    ObjectNode withoutContent = original.deepCopy();
    withoutContent.remove("content");
    data.set("agentpipe", original("message.created", withoutContent));
    add(source, messageId, "message.sent", m.agentId(), ts, null, ORCHESTRATOR, data);
    if (m.model() != null || m.inputTokens() != null || m.outputTokens() != null || m.tokensUsed() != null
        || m.cost() != null) {
      long input = m.inputTokens() == null ? 0 : m.inputTokens();
      long output = m.outputTokens() != null ? m.outputTokens()
          : m.tokensUsed() == null ? 0 : Math.max(0, m.tokensUsed() - input);
      ObjectNode llm = data().put("model", m.model() == null ? m.agentType() : m.model())
          .put("inputTokens", input).put("outputTokens", output);
      if (m.cost() != null) {
        llm.put("costUsd", m.cost());
      }
      if (m.durationMs() != null) {
        llm.put("latencyMs", m.durationMs());
      }
      if (m.tokensUsed() != null) {
        llm.put("totalTokens", m.tokensUsed());
      }
      add(source, id("llm", m.key()), "llm.call", m.agentId(), ts, messageId, null, llm);
    }
  }

  /** The run ends: completed, or failed when AgentPipe says interrupted or error. */
  void ended(Instant ts, String status, ObjectNode original, String source) {
    ObjectNode data = data().put("outcome", status);
    data.set("agentpipe", original("conversation.completed", original));
    add(source, id("end"), status.equals("completed") ? Projection.RUN_COMPLETED : Projection.RUN_FAILED, ORCHESTRATOR,
        ts, null, null, data);
  }

  /** The model call that wrote the conversation's summary. */
  void summary(Instant ts, String agentType, String model, long input, long output, Double cost, Double durationMs,
      String source) {
    ObjectNode llm = data().put("model", model == null ? agentType : model).put("inputTokens", input)
        .put("outputTokens", output).put("purpose", "summary");
    if (cost != null) {
      llm.put("costUsd", cost);
    }
    if (durationMs != null) {
      llm.put("latencyMs", durationMs);
    }
    add(source, id("summary"), "llm.call", agentType, ts, id("end"), null, llm);
  }

  /** An error during the conversation; the run goes on (AgentPipe continues with the other agents). */
  void error(Instant ts, String agentId, String message, String errorType, ObjectNode original, String source) {
    ObjectNode data = data().put("message", message);
    putText(data, "errorType", errorType);
    data.set("agentpipe", original("conversation.error", original));
    add(source, id("error", ts.toString(), agentId, message), "error.occurred", agentId, ts, null, null, data);
  }

  /** The events, each validated; problems are reported under the part of the request they came from. */
  List<Event> decode(List<Problem> problems) {
    List<Event> events = new ArrayList<>(envelopes.size());
    for (Sourced s : envelopes) {
      try {
        events.add(EventCodec.decode(s.envelope()));
      } catch (InvalidEventException e) {
        String type = s.envelope().get("type").stringValue();
        e.problems().forEach(p -> problems.add(new Problem(s.source(), "gives a " + type + " event whose "
            + p.message())));
      }
    }
    return events;
  }

  /** {@code ap-} and 40 hex digits of a digest of the conversation and the fact's parts. */
  String id(String... parts) {
    return "ap-" + Digests.sha256Hex(conversationId + '\u001f' + String.join("\u001f", parts)).substring(0, 40);
  }

  private void add(String source, String id, String type, String agentId, Instant ts, String parentId, String target,
      ObjectNode data) {
    ObjectNode e = EventCodec.JSON.createObjectNode();
    e.put("id", id);
    e.put("type", type);
    e.put("agentId", agentId);
    e.put("runId", conversationId);
    e.put("ts", ts.toString());
    if (parentId != null) {
      e.put("parentId", parentId);
    }
    if (target != null) {
      e.put("target", target);
    }
    e.set("data", data);
    envelopes.add(new Sourced(e, source));
  }

  private static ObjectNode original(String type, ObjectNode data) {
    ObjectNode o = data();
    o.put("type", type);
    o.set("data", data);
    return o;
  }

  private static ObjectNode data() {
    return EventCodec.JSON.createObjectNode();
  }

  private static void putText(ObjectNode data, String field, String value) {
    if (value != null) {
      data.put(field, value);
    }
  }
}
