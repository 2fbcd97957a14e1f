package io.agentwatch.server.agentpipe;

import io.agentwatch.core.Digests;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import io.agentwatch.server.agentpipe.AgentPipeEvents.Message;
import io.agentwatch.server.agentpipe.AgentPipeEvents.Participant;
import io.agentwatch.server.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates a whole past AgentPipe conversation ({@code {conversation, agents, messages}}, as
 * AgentPipe uploads it to {@code /api/sessions/upload}) into the same events its live bridge
 * would have made. Every problem of the request is collected; any problem means nothing is
 * stored. Plain and stateless.
 */
final class UploadEvents {

  /** At most this many messages per upload (AgentPipe's own limit). */
  static final int MAX_MESSAGES = Batch.MAX_EVENTS;
  private static final Set<String> STATUSES = Set.of("ACTIVE", "COMPLETED", "INTERRUPTED", "ERROR");

  /** The run, its events, how many agents and messages it had, or the problems. */
  record Translation(String conversationId, List<Event> events, int agents, int messages, List<Problem> problems) {}

  /**
   * @param body    the parsed request
   * @param rawBody its bytes: a conversation without an id gets one derived from them, so
   *                uploading the same body again is harmless
   * @throws ApiException 413 over {@link #MAX_MESSAGES} messages
   */
  Translation translate(JsonNode body, byte[] rawBody) {
    List<Problem> problems = new ArrayList<>();
    Fields upload = Fields.of(body, "", problems);
    if (upload == null) {
      return refused(problems);
    }
    JsonNode messageList = upload.array("messages", true);
    if (messageList != null && messageList.size() > MAX_MESSAGES) {
      throw new ApiException(HttpStatus.CONTENT_TOO_LARGE,
          "an upload holds at most " + MAX_MESSAGES + " messages but had " + messageList.size());
    }
    Fields conversation = upload.object("conversation", true);
    JsonNode agentList = upload.array("agents", true);
    if (conversation == null) {
      return refused(problems);
    }
    String conversationId = conversation.id("id", false);
    JsonNode givenId = conversation.node().get("id");
    if (conversationId == null && (givenId == null || givenId.isNull())) {
      conversationId = "upload-" + Digests.sha256Hex(new String(rawBody, StandardCharsets.UTF_8))
          .substring(0, 32);
    }
    conversation.text("name", true, 1024);
    conversation.text("mode", true, 256);
    conversation.text("initial_prompt", true, Fields.MAX_CONTENT);
    conversation.count("max_turns");
    Instant startedAt = conversation.timestamp("started_at", true);
    Instant completedAt = conversation.timestamp("completed_at", false);
    String status = conversation.choice("status", STATUSES);
    for (String field : List.of("total_messages", "total_tokens")) {
      conversation.count(field);
    }
    conversation.amount("total_cost");
    Double totalDurationMs = conversation.amount("total_duration");
    Fields system = conversation.object("system_info", false);
    if (system != null) {
      for (String field : List.of("agentpipe_version", "os", "os_version", "go_version", "architecture")) {
        system.text(field, true, 256);
      }
    }

    List<Participant> participants = new ArrayList<>();
    Set<String> agentIds = new HashSet<>();
    for (int i = 0; agentList != null && i < agentList.size(); i++) {
      Fields a = Fields.of(agentList.get(i), "agents[" + i + "]", problems);
      Participant p = a == null ? null : BridgeEvents.participant(a, "agent_name");
      if (p != null && agentIds.add(p.agentId())) {
        participants.add(p);
      }
    }
    if (conversationId == null || startedAt == null) {
      return refused(problems);
    }

    AgentPipeEvents events = new AgentPipeEvents(conversationId);
    events.started(startedAt, started(conversationId, conversation.node(), agentList), participants, "conversation");
    Instant last = startedAt;
    Map<String, Integer> keys = new HashMap<>();
    for (int i = 0; messageList != null && i < messageList.size(); i++) {
      String at = "messages[" + i + "]";
      Fields m = Fields.of(messageList.get(i), at, problems);
      if (m == null) {
        continue;
      }
      int sequence = i + 1;
      Message message = BridgeEvents.message(m, true, () -> "seq-" + sequence);
      Instant ts = m.timestamp("timestamp", true);
      if (message == null || ts == null) {
        continue;
      }
      Integer first = keys.putIfAbsent(message.key(), i);
      if (first != null) {
        problems.add(new Problem(at, "repeats messages[" + first + "] (same message_id or sequence_number)"));
        continue;
      }
      ObjectNode original = ((ObjectNode) m.node()).deepCopy().put("conversation_id", conversationId);
      events.message(ts, message, original, at);
      last = ts.isAfter(last) ? ts : last;
    }
    if (status != null && !status.equals("ACTIVE")) {
      events.ended(completedAt != null ? completedAt : last, status.toLowerCase(Locale.ROOT),
          ended(conversationId, status, conversation.node(), totalDurationMs), "conversation");
    }
    if (!problems.isEmpty()) {
      return refused(problems);
    }
    List<Event> decoded = events.decode(problems);
    return problems.isEmpty()
        ? new Translation(conversationId, decoded, participants.size(), messageList == null ? 0 : messageList.size(),
            problems)
        : refused(problems);
  }

  /** The {@code conversation.started} data the live bridge would have sent. */
  private static ObjectNode started(String conversationId, JsonNode conversation, JsonNode agents) {
    ObjectNode data = EventCodec.JSON.createObjectNode().put("conversation_id", conversationId);
    for (String field : List.of("mode", "initial_prompt", "max_turns", "system_info")) {
      if (conversation.has(field)) {
        data.set(field, conversation.get(field));
      }
    }
    if (agents != null) {
      data.set("participants", agents);
    }
    return data;
  }

  /** The {@code conversation.completed} data the live bridge would have sent. */
  private static ObjectNode ended(String conversationId, String status, JsonNode conversation, Double totalDurationMs) {
    ObjectNode data = EventCodec.JSON.createObjectNode().put("conversation_id", conversationId)
        .put("status", status.toLowerCase(Locale.ROOT));
    for (String field : List.of("total_messages", "total_tokens", "total_cost")) {
      if (conversation.has(field)) {
        data.set(field, conversation.get(field));
      }
    }
    if (totalDurationMs != null) {
      data.put("duration_seconds", totalDurationMs / 1000);
    }
    return data;
  }

  private static Translation refused(List<Problem> problems) {
    return new Translation(null, List.of(), 0, 0, problems);
  }
}
