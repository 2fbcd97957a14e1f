package io.agentwatch.server.command;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.EventValidator;
import io.agentwatch.model.StoredEvent;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.command.AgentChannels.AgentKey;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/agents/{agentId}/commands}: an admin tells an agent to pause, resume, cancel a task
 * or go into quarantine. The command is recorded as a {@code command.issued} event (so it streams,
 * persists and replays like everything else) before the answer; {@link CommandDispatcher} then
 * delivers it over the agent's WebSocket, and the agent answers with a {@code command.acknowledged}
 * event. A body {@code id} makes a retried request harmless: the same id is the same command.
 */
@RestController
@RequestMapping("/api/v1/agents/{agentId}/commands")
public class CommandsController {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final int MAX_REASON = 1000;
  private static final int MAX_AGENT_ID = 128;
  private static final int MAX_HISTORY = 10_000;
  private static final Duration PROJECTION_WAIT = Duration.ofSeconds(10);

  private final EventLog log;
  private final EventStore store;
  private final ProjectionUpdater projections;
  private final AgentChannels channels;
  private final Clock clock;

  public CommandsController(EventLog log, EventStore store, ProjectionUpdater projections, AgentChannels channels,
      Clock clock) {
    this.log = log;
    this.store = store;
    this.projections = projections;
    this.channels = channels;
    this.clock = clock;
  }

  @PostMapping
  ResponseEntity<Map<String, Object>> issue(Caller caller, @PathVariable String agentId,
      @RequestBody(required = false) JsonNode body) {
    caller.require(Scope.ADMIN);
    requireAgentId(agentId);
    Event command = command(caller, agentId, body);
    AgentKey agent = new AgentKey(caller.tenant(), agentId);
    if (!channels.isConnected(agent) && !isKnown(caller.tenant(), agentId)) {
      throw ApiException.notFound("no agent '" + agentId + "' has sent events or connected in this tenant");
    }
    AppendResult result = log.append(caller.tenant(), List.of(command)).join().getFirst();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("commandId", command.id());
    answer.put("agentId", agentId);
    answer.put("type", command.data().get("type").stringValue());
    answer.put("duplicate", result.isDuplicate());
    answer.put("agentConnected", channels.isConnected(agent));
    return ResponseEntity.status(result.isDuplicate() ? HttpStatus.OK : HttpStatus.ACCEPTED).body(answer);
  }

  /** Whether the agent has sent events, once the projections caught up with everything acked so far. */
  private boolean isKnown(String tenant, String agentId) {
    try {
      if (!projections.awaitApplied(log.head(), PROJECTION_WAIT)) {
        throw ApiException.unavailable("projections are catching up with the log; retry shortly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting for projections");
    }
    return projections.read(tenant, p -> p.agent(agentId) != null);
  }

  /** The last commands to the agent with their answers, newest first. */
  @GetMapping
  Map<String, Object> list(Caller caller, @PathVariable String agentId,
      @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    requireAgentId(agentId);
    int max = Params.limit(limit, 20);
    Map<String, StoredEvent> answers = new HashMap<>();
    List<StoredEvent> issued = new ArrayList<>();
    for (StoredEvent e : history(caller.tenant(), agentId)) {
      if (CommandDispatcher.ACKNOWLEDGED.equals(e.event().type())) {
        answers.putIfAbsent(e.event().data().path("commandId").asString(), e);
      } else {
        issued.add(e);
      }
    }
    List<Map<String, Object>> commands = new ArrayList<>();
    for (int i = issued.size() - 1; i >= 0 && commands.size() < max; i--) {
      commands.add(describe(issued.get(i), answers.get(issued.get(i).event().id())));
    }
    return Map.of("commands", commands);
  }

  /** The agent's commands and answers in log order, at most {@link #MAX_HISTORY} of them. */
  private List<StoredEvent> history(String tenant, String agentId) {
    EventFilter filter =
        new EventFilter(null, agentId, List.of(CommandDispatcher.ISSUED, CommandDispatcher.ACKNOWLEDGED));
    List<StoredEvent> events = new ArrayList<>();
    Cursor after = null;
    do {
      EventPage page = store.query(tenant, new EventQuery(filter, null, null, after, EventQuery.MAX_LIMIT));
      events.addAll(page.events());
      after = page.next();
    } while (after != null && events.size() < MAX_HISTORY);
    return events;
  }

  private static Map<String, Object> describe(StoredEvent issued, StoredEvent answer) {
    JsonNode data = issued.event().data();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("commandId", issued.event().id());
    c.put("type", data.path("type").asString());
    c.put("reason", data.path("reason").asString(null));
    c.put("taskId", data.path("taskId").asString(null));
    c.put("issuedAt", issued.event().ts().toString());
    c.put("issuedBy", data.path("issuedBy").asString(null));
    // A policy's command names the alert it answers.
    c.put("alertId", data.path("alertId").asString(null));
    if (answer == null) {
      c.put("state", "pending");
    } else {
      c.put("state", answer.event().data().path("outcome").asString());
      c.put("acknowledgedAt", answer.event().ts().toString());
      c.put("answer", answer.event().data().path("reason").asString(null));
    }
    return c;
  }

  private Event command(Caller caller, String agentId, JsonNode body) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("body must be {\"type\":\"pause|resume|cancel|quarantine\",\"reason\":…}");
    }
    String type = text(body, "type", 32);
    if (type == null || !EventValidator.COMMAND_TYPES.contains(type)) {
      throw ApiException.badRequest("type must be one of pause, resume, cancel, quarantine but was "
          + body.path("type"));
    }
    String id = text(body, "id", 64);
    if (id != null && !ID.matcher(id).matches()) {
      throw ApiException.badRequest("id must be 1-64 characters of A-Z a-z 0-9 . _ : - but was " + body.get("id"));
    }
    String runId = text(body, "runId", MAX_AGENT_ID);
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("type", type);
    putText(data, "reason", text(body, "reason", MAX_REASON));
    putText(data, "taskId", text(body, "taskId", MAX_AGENT_ID));
    putText(data, "issuedBy", caller.keyId());
    String commandId = id != null ? id : "cmd-" + UUID.randomUUID();
    return new Event(commandId, CommandDispatcher.ISSUED, agentId, runId, clock.instant(), null, agentId, data);
  }

  private static String text(JsonNode body, String field, int max) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString() || value.stringValue().isEmpty() || value.stringValue().length() > max) {
      throw ApiException.badRequest(field + " must be a string of 1-" + max + " characters");
    }
    return value.stringValue();
  }

  private static void putText(ObjectNode data, String field, String value) {
    if (value != null) {
      data.put(field, value);
    }
  }

  private static void requireAgentId(String agentId) {
    if (agentId.isEmpty() || agentId.length() > MAX_AGENT_ID) {
      throw ApiException.badRequest("agentId must be 1-128 characters");
    }
  }
}
