package io.agentwatch.analytics;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes agent traffic for tests: valid events of one run with a moving producer clock and ids
 * {@code <prefix>-1, -2, …}.
 */
public final class Script {

  public static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  private final String runId;
  private final String prefix;
  private final List<Event> events = new ArrayList<>();
  private Instant now = T0;
  private int seq;

  public Script(String runId) {
    this(runId, runId);
  }

  public Script(String runId, String prefix) {
    this.runId = runId;
    this.prefix = prefix;
  }

  public Instant now() {
    return now;
  }

  public Script at(Instant t) {
    now = t;
    return this;
  }

  public Script after(Duration d) {
    now = now.plus(d);
    return this;
  }

  public Script seconds(double s) {
    return after(Duration.ofMillis((long) (s * 1000)));
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The id of the last event written. */
  public String last() {
    return events.getLast().id();
  }

  public Event event(String type, String agentId, String parentId, String target, Object... fields) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < fields.length; i += 2) {
      data.set((String) fields[i], EventCodec.JSON.valueToTree(fields[i + 1]));
    }
    Event e = new Event(prefix + "-" + (++seq), type, agentId, runId, now, parentId, target, data);
    events.add(e);
    return e;
  }

  public Script register(String agent, String role) {
    event("agent.registered", agent, null, null, "role", role);
    return this;
  }

  public Script heartbeat(String agent) {
    event("agent.heartbeat", agent, null, null, "cpu", 10);
    return this;
  }

  public Script status(String agent, String status) {
    event("agent.status", agent, null, null, "status", status);
    return this;
  }

  public Script created(String by, String task) {
    event("task.created", by, null, null, "taskId", task);
    return this;
  }

  public Script assign(String by, String task, String to) {
    event("task.assigned", by, null, null, "taskId", task, "assignee", to);
    return this;
  }

  public Script start(String agent, String task) {
    event("task.started", agent, null, null, "taskId", task);
    return this;
  }

  public Script progress(String agent, String task, int percent) {
    event("task.progress", agent, null, null, "taskId", task, "percent", percent);
    return this;
  }

  public Script complete(String agent, String task, String result) {
    event("task.completed", agent, null, null, "taskId", task, "result", result);
    return this;
  }

  public Script fail(String agent, String task) {
    event("task.failed", agent, null, null, "taskId", task, "error", "boom");
    return this;
  }

  public Script message(String from, String to) {
    event("message.sent", from, null, null, "to", to, "content", "hi");
    return this;
  }

  public Script reply(String from, String to, String parentId) {
    event("message.sent", from, parentId, null, "to", to, "content", "re");
    return this;
  }

  public Script llm(String agent, int tokens, double cost, int latencyMs) {
    event("llm.call", agent, null, null, "model", "m", "inputTokens", tokens / 2, "outputTokens", tokens - tokens / 2,
        "costUsd", cost, "latencyMs", latencyMs);
    return this;
  }

  public Script error(String agent) {
    event("error.occurred", agent, null, null, "message", "failed");
    return this;
  }

  public Script log(String agent) {
    event("log", agent, null, null, "level", "info", "message", "working");
    return this;
  }

  /** The run ends: {@code run.completed}, {@code run.failed} or {@code run.cancelled}, reported by {@code agent}. */
  public Script end(String type, String agent) {
    event(type, agent, null, null);
    return this;
  }

  /** A budget set through the API: {@code definition} is the JSON body of {@code POST /api/v1/budgets}. */
  public Script budget(String definition) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.set("budget", EventCodec.JSON.readTree(definition));
    data.put("by", "key-1");
    events.add(new Event(prefix + "-" + (++seq), "budget.set", "agentwatch-api", null, now, null, null, data));
    return this;
  }

  public Script deleteBudget(String id) {
    ObjectNode data = EventCodec.JSON.createObjectNode().put("budgetId", id);
    events.add(new Event(prefix + "-" + (++seq), "budget.deleted", "agentwatch-api", null, now, null, null, data));
    return this;
  }

  /** A policy set through the API: {@code definition} is the JSON body of {@code POST /api/v1/policies}. */
  public Script policy(String definition) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.set("policy", EventCodec.JSON.readTree(definition));
    data.put("by", "key-1");
    events.add(new Event(prefix + "-" + (++seq), "policy.set", "agentwatch-api", null, now, null, null, data));
    return this;
  }

  public Script command(String agent, String type) {
    event("command.issued", "agentwatch-api", null, agent, "type", type, "agentId", agent);
    return this;
  }
}
