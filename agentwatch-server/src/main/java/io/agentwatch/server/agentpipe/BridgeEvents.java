package io.agentwatch.server.agentpipe;

import io.agentwatch.model.Event;
import io.agentwatch.model.Problem;
import io.agentwatch.server.agentpipe.AgentPipeEvents.Message;
import io.agentwatch.server.agentpipe.AgentPipeEvents.Participant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates one event of AgentPipe's streaming bridge ({@code {type, timestamp, data}}, as its
 * CLI posts to {@code /api/ingest}) into Agentwatch events and the answer AgentPipe expects.
 * Field names and rules follow AgentPipe's own schema; docs/agentpipe.md has the mapping.
 * Plain and stateless.
 */
final class BridgeEvents {

  static final Set<String> TYPES = Set.of("conversation.started", "message.created", "conversation.completed",
      "conversation.error", "bridge.test", "bridge.connected");
  private static final Set<String> END_STATUSES = Set.of("completed", "interrupted", "error");

  /**
   * What to store and what to answer.
   *
   * @param events   to store at once; empty for connectivity checks
   * @param status   HTTP status of the answer once stored
   * @param answer   the answer body
   * @param problems everything wrong with the request; when not empty, nothing is stored
   */
  record Translation(List<Event> events, int status, Map<String, Object> answer, List<Problem> problems) {}

  private final Supplier<String> randomIds;

  /** @param randomIds makes message ids for messages that carry neither id nor sequence number */
  BridgeEvents(Supplier<String> randomIds) {
    this.randomIds = randomIds;
  }

  BridgeEvents() {
    this(() -> UUID.randomUUID().toString());
  }

  Translation translate(JsonNode body, Instant receivedAt) {
    List<Problem> problems = new ArrayList<>();
    Fields event = Fields.of(body, "", problems);
    if (event == null) {
      return refused(problems);
    }
    String type = event.choice("type", TYPES);
    Instant ts = event.timestamp("timestamp", true);
    Fields data = event.object("data", true);
    if (type == null || ts == null || data == null) {
      return refused(problems);
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    switch (type) {
      case "bridge.test", "bridge.connected" -> {
        answer.put("success", true);
        answer.put("message", "Bridge test successful");
        answer.put("received_at", receivedAt.toString());
        return new Translation(List.of(), 200, answer, problems);
      }
      default -> { }
    }
    String conversationId = data.id("conversation_id", true);
    if (conversationId == null) {
      return refused(problems);
    }
    AgentPipeEvents events = new AgentPipeEvents(conversationId);
    ObjectNode original = (ObjectNode) data.node();
    int status = 200;
    answer.put("conversation_id", conversationId);
    switch (type) {
      case "conversation.started" -> {
        data.text("mode", true, 256);
        data.text("initial_prompt", true, Fields.MAX_CONTENT);
        data.count("max_turns");
        Fields system = data.object("system_info", true);
        if (system != null) {
          for (String field : List.of("agentpipe_version", "os", "os_version", "go_version", "architecture")) {
            system.text(field, true, 256);
          }
        }
        List<Participant> participants = participants(data);
        events.started(ts, original, participants, "data");
        status = 201;
      }
      case "message.created" -> {
        Message m = message(data, false, randomIds);
        if (m != null) {
          events.message(ts, m, original, "data");
          answer.put("message_id", m.key());
        }
        status = 201;
      }
      case "conversation.completed" -> {
        String end = data.choice("status", END_STATUSES);
        for (String field : List.of("total_messages", "total_turns", "total_tokens")) {
          data.count(field);
        }
        data.amount("total_cost");
        data.amount("duration_seconds");
        if (end != null) {
          events.ended(ts, end, original, "data");
        }
        summary(data, events, ts);
        answer.put("success", true);
      }
      case "conversation.error" -> {
        String message = data.text("error_message", true, Fields.MAX_CONTENT);
        String errorType = data.text("error_type", false, 256);
        String agentType = data.id("agent_type", false);
        if (message != null) {
          events.error(ts, agentType == null ? AgentPipeEvents.ORCHESTRATOR : agentType, message, errorType,
              original, "data");
        }
        answer.put("success", true);
      }
      default -> throw new IllegalStateException("unhandled AgentPipe event type " + type);
    }
    if (!problems.isEmpty()) {
      return refused(problems);
    }
    List<Event> decoded = events.decode(problems);
    return problems.isEmpty() ? new Translation(decoded, status, answer, problems) : refused(problems);
  }

  /** {@code participants}, or {@code agents} as older CLIs name them; one of the two is required. */
  private static List<Participant> participants(Fields data) {
    String field = data.node().has("participants") ? "participants" : data.node().has("agents") ? "agents" : null;
    if (field == null) {
      data.problems().add(new Problem(data.path("participants"), "(or agents) is required: an array of participants"));
      return List.of();
    }
    JsonNode list = data.array(field, true);
    if (list == null) {
      return List.of();
    }
    List<Participant> participants = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Fields p = Fields.of(list.get(i), data.path(field) + "[" + i + "]", data.problems());
      if (p != null) {
        Participant participant = participant(p, "name");
        if (participant != null) {
          participants.add(participant);
        }
      }
    }
    return participants;
  }

  /** A participant; {@code nameField} is {@code name} in the bridge and {@code agent_name} in uploads. */
  static Participant participant(Fields p, String nameField) {
    String agentType = p.id("agent_type", true);
    String agentId = p.id("agent_id", false);
    String name = p.text(nameField, nameField.equals("agent_name"), 256);
    String model = p.text("model", false, 256);
    String agentVersion = p.text("agent_version", false, 256);
    String cliVersion = p.text("cli_version", false, 256);
    p.text("prompt", false, Fields.MAX_CONTENT);
    return agentType == null ? null
        : new Participant(agentId == null ? agentType : agentId, agentType, name, model, agentVersion, cliVersion);
  }

  /**
   * A message ({@code agent_name} is required in uploads); its key is {@code message_id}, else {@code seq-<sequence_number>}, else made by
   * {@code fallbackKey} (then a retry cannot be recognised).
   */
  static Message message(Fields m, boolean nameRequired, Supplier<String> fallbackKey) {
    String agentType = m.id("agent_type", true);
    String agentId = m.id("agent_id", false);
    m.text("agent_name", nameRequired, 256);
    String content = m.text("content", true, Fields.MAX_CONTENT);
    String messageId = m.text("message_id", false, 128);
    Long sequence = m.count("sequence_number");
    m.count("turn_number");
    m.text("agent_version", false, 256);
    String role = m.text("role", false, 64);
    String model = m.text("model", false, 256);
    Long input = m.count("input_tokens");
    Long output = m.count("output_tokens");
    Long total = m.count("tokens_used");
    Double cost = m.amount("cost");
    Double duration = m.amount("duration_ms");
    if (agentType == null || content == null) {
      return null;
    }
    String key = messageId != null && !messageId.isEmpty() ? messageId
        : sequence != null ? "seq-" + sequence : fallbackKey.get();
    return new Message(key, agentId == null ? agentType : agentId, agentType, content, role, model, input, output,
        total, cost, duration);
  }

  private static void summary(Fields data, AgentPipeEvents events, Instant ts) {
    Fields summary = data.object("summary", false);
    if (summary == null) {
      return;
    }
    summary.text("text", false, 10_000);
    summary.text("short_text", false, 10_000);
    String agentType = summary.id("agent_type", true);
    String model = summary.text("model", false, 256);
    Long input = summary.count("input_tokens");
    Long output = summary.count("output_tokens");
    summary.count("total_tokens");
    Double cost = summary.amount("cost");
    Double duration = summary.amount("duration_ms");
    if (agentType != null) {
      events.summary(ts, agentType, model, input == null ? 0 : input, output == null ? 0 : output, cost, duration,
          "data.summary");
    }
  }

  private static Translation refused(List<Problem> problems) {
    return new Translation(List.of(), 400, Map.of(), problems);
  }
}
