package io.agentwatch.core.state;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.EventValidator;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The current state of one tenant's agents, runs and tasks: a deterministic fold of its events in
 * log order. The same events in the same order always give the same state, which is what makes a
 * rebuild from the log identical to the incremental result.
 *
 * <p>Out-of-order producer times never move a "latest" value back (heartbeats, status, progress
 * take the newest {@code ts}); times such as {@code startedAt} record the event that made the
 * transition. Not thread-safe: {@link ProjectionUpdater} guards it.
 */
public final class Projection {

  /** Event types the server writes for {@code PATCH}; clients may not send them. */
  public static final String AGENT_EDITED = "agent.edited";
  public static final String RUN_EDITED = "run.edited";
  /** A run's end, reported by an agent or added by a session upload. */
  public static final String RUN_COMPLETED = "run.completed";
  public static final String RUN_FAILED = "run.failed";
  public static final String RUN_CANCELLED = "run.cancelled";
  /** What became of a task still open when its run ended: nobody works on it or waits for it any more. */
  public static final String ABANDONED = "abandoned";
  private static final String COMMAND_ISSUED = "command.issued";
  private static final Set<String> OPEN_STATES = Set.of("created", "assigned", "running");
  /** The prefix of the analytics' own events ({@code alert.raised}, …). */
  public static final String ALERT_PREFIX = "alert.";

  /** A task's identity: tasks are named within their run ("" for tasks outside any run). */
  public record TaskKey(String runId, String taskId) {}

  /**
   * The tenant's own totals, stored as one row of kind {@code TENANT} so that a restart resumes
   * counting where it stopped.
   */
  public static final class Totals {
    public long events;
  }

  final Map<String, AgentState> agents = new HashMap<>();
  final Map<String, RunState> runs = new HashMap<>();
  final Map<TaskKey, TaskState> tasks = new HashMap<>();
  /** The open tasks of each run, so that a run's end finds them without looking at every task. */
  private final Map<String, Set<TaskKey>> openByRun = new HashMap<>();
  private final Set<Object> dirty = Collections.newSetFromMap(new IdentityHashMap<>());
  private final Totals totals = new Totals();

  /** How many events were applied (edits included). */
  public long events() {
    return totals.events;
  }

  public AgentState agent(String agentId) {
    return agents.get(agentId);
  }

  public RunState run(String runId) {
    return runs.get(runId);
  }

  public Collection<AgentState> agents() {
    return Collections.unmodifiableCollection(agents.values());
  }

  public Collection<RunState> runs() {
    return Collections.unmodifiableCollection(runs.values());
  }

  public Collection<TaskState> tasks() {
    return Collections.unmodifiableCollection(tasks.values());
  }

  /** The rows changed since the last call (agents, runs and tasks), for persisting. */
  public List<Object> drainChanged() {
    List<Object> changed = List.copyOf(dirty);
    dirty.clear();
    return changed;
  }

  /** The stored form of a changed agent, run or task of this projection. */
  public static ProjectionStore.Row row(String tenant, Object changed) {
    String json = EventCodec.JSON.writeValueAsString(changed);
    return switch (changed) {
      case AgentState a -> new ProjectionStore.Row(tenant, ProjectionStore.Kind.AGENT, a.agentId, json);
      case RunState r -> new ProjectionStore.Row(tenant, ProjectionStore.Kind.RUN, r.runId, json);
      case TaskState t -> new ProjectionStore.Row(tenant, ProjectionStore.Kind.TASK,
          (t.runId == null ? "" : t.runId) + '\u001f' + t.taskId, json);
      case Totals ignored -> new ProjectionStore.Row(tenant, ProjectionStore.Kind.TENANT, "", json);
      default -> throw new IllegalArgumentException("not a projected row: " + changed);
    };
  }

  /** Puts a stored row back (restart). */
  public void restore(ProjectionStore.Row row) {
    switch (row.kind()) {
      case AGENT -> {
        AgentState a = EventCodec.JSON.readValue(row.json(), AgentState.class);
        agents.put(a.agentId, a);
      }
      case RUN -> {
        RunState r = EventCodec.JSON.readValue(row.json(), RunState.class);
        runs.put(r.runId, r);
      }
      case TASK -> putTask(EventCodec.JSON.readValue(row.json(), TaskState.class));
      case TENANT -> totals.events = EventCodec.JSON.readValue(row.json(), Totals.class).events;
    }
  }

  /** The whole projection as one JSON document (snapshots, comparisons in tests). */
  public String toJson() {
    Map<String, Object> doc = new java.util.LinkedHashMap<>();
    doc.put("events", totals.events);
    doc.put("agents", new java.util.TreeMap<>(agents));
    doc.put("runs", new java.util.TreeMap<>(runs));
    java.util.TreeMap<String, TaskState> sortedTasks = new java.util.TreeMap<>();
    tasks.forEach((k, v) -> sortedTasks.put(k.runId() + '\u001f' + k.taskId(), v));
    doc.put("tasks", sortedTasks);
    return EventCodec.JSON.writeValueAsString(doc);
  }

  public static Projection fromJson(String json) {
    JsonNode doc = EventCodec.JSON.readTree(json);
    Projection p = new Projection();
    p.totals.events = doc.get("events").asLong();
    doc.get("agents").forEach(n -> {
      AgentState a = EventCodec.JSON.treeToValue(n, AgentState.class);
      p.agents.put(a.agentId, a);
    });
    doc.get("runs").forEach(n -> {
      RunState r = EventCodec.JSON.treeToValue(n, RunState.class);
      p.runs.put(r.runId, r);
    });
    doc.get("tasks").forEach(n -> p.putTask(EventCodec.JSON.treeToValue(n, TaskState.class)));
    return p;
  }

  private void putTask(TaskState t) {
    TaskKey key = new TaskKey(t.runId == null ? "" : t.runId, t.taskId);
    tasks.put(key, t);
    index(key, t.state);
  }

  private void index(TaskKey key, String state) {
    if (key.runId().isEmpty()) {
      return;
    }
    if (OPEN_STATES.contains(state)) {
      openByRun.computeIfAbsent(key.runId(), r -> new java.util.LinkedHashSet<>()).add(key);
    } else {
      Set<TaskKey> open = openByRun.get(key.runId());
      if (open != null && open.remove(key) && open.isEmpty()) {
        openByRun.remove(key.runId());
      }
    }
  }

  /** How many agents, runs and tasks this projection holds. */
  public int size() {
    return agents.size() + runs.size() + tasks.size();
  }

  public void apply(Event e) {
    totals.events++;
    dirty.add(totals);
    if (e.type().equals(AGENT_EDITED) || e.type().equals(RUN_EDITED)) {
      applyEdit(e);
      return;
    }
    if (e.type().startsWith(ALERT_PREFIX)
        || EventValidator.writtenByServer(e.type()) && !e.type().equals(COMMAND_ISSUED)) {
      // The analytics' alerts, budgets and policies are about agents, not from one: no activity to count.
      return;
    }
    Instant ts = e.ts();
    String outcome = outcome(e.type());
    if (outcome != null && e.runId() != null) {
      // About the run, not the agent that reported it (a session upload's marker has no agent).
      RunState run = touchRun(e.runId(), ts);
      run.totals.events++;
      // The outcome is a "latest" value too: an older end arriving later does not win.
      if (run.endedAt == null || !ts.isBefore(run.endedAt)) {
        run.endedAt = ts;
        run.status = outcome;
      }
      abandonOpenTasks(e.runId(), run, ts, outcome);
      return;
    }
    AgentState agent = touchAgent(e.agentId(), ts);
    agent.counters.events++;
    if ("offline".equals(agent.status) && !e.type().equals("agent.status") && !e.type().equals(COMMAND_ISSUED)
        && ts.isAfter(agent.statusAt)) {
      // Agent ids are reused across runs: one that signed off and does anything later is back.
      agent.status = "idle";
      agent.statusAt = ts;
    }
    RunState run = null;
    if (e.runId() != null) {
      agent.lastRunId = e.runId();
      run = touchRun(e.runId(), ts);
      run.totals.events++;
      run.participants.putIfAbsent(e.agentId(), agent.role);
    }
    JsonNode data = e.data();
    switch (e.type()) {
      case "agent.registered" -> {
        agent.role = text(data, "role");
        agent.name = text(data, "name");
        if (data.get("capabilities") != null && data.get("capabilities").isArray()) {
          agent.capabilities = strings(data.get("capabilities"));
        }
        if (run != null) {
          run.participants.put(e.agentId(), agent.role);
        }
      }
      case "agent.heartbeat" -> {
        if (agent.lastHeartbeat == null || !ts.isBefore(agent.lastHeartbeat)) {
          agent.lastHeartbeat = ts;
          AgentState.Heartbeat hb = new AgentState.Heartbeat();
          hb.cpu = number(data, "cpu");
          hb.memoryMb = number(data, "memoryMb");
          hb.queueDepth = number(data, "queueDepth");
          agent.heartbeat = hb;
        }
      }
      case "agent.status" -> {
        if (agent.statusAt == null || !ts.isBefore(agent.statusAt)) {
          agent.status = text(data, "status");
          agent.statusAt = ts;
        }
      }
      case "task.created", "task.assigned", "task.started", "task.progress", "task.completed", "task.failed" ->
          applyTask(e, agent, run);
      case "message.sent" -> {
        agent.counters.messagesSent++;
        String to = text(data, "to");
        if (to != null && !to.equals(e.agentId())) {
          touchAgent(to, null).counters.messagesReceived++;
        }
        if (run != null) {
          run.totals.messages++;
        }
      }
      case "tool.called" -> {
        agent.counters.toolCalls++;
        if (run != null) {
          run.totals.toolCalls++;
        }
      }
      case "tool.result" -> {
        String error = text(data, "error");
        if (error != null && !error.isEmpty()) {
          countError(agent, run);
        }
      }
      case "llm.call" -> {
        long in = whole(data, "inputTokens");
        long out = whole(data, "outputTokens");
        Double cost = number(data, "costUsd");
        agent.counters.llmCalls++;
        agent.counters.inputTokens += in;
        agent.counters.outputTokens += out;
        agent.counters.costUsd += cost == null ? 0 : cost;
        if (run != null) {
          run.totals.llmCalls++;
          run.totals.inputTokens += in;
          run.totals.outputTokens += out;
          run.totals.costUsd += cost == null ? 0 : cost;
        }
      }
      case "error.occurred" -> countError(agent, run);
      default -> { }
    }
  }

  /** completed, failed or cancelled for an event that ends a run, else null. */
  private static String outcome(String type) {
    return switch (type) {
      case RUN_COMPLETED -> "completed";
      case RUN_FAILED -> "failed";
      case RUN_CANCELLED -> "cancelled";
      default -> null;
    };
  }

  /**
   * A run that ended leaves its open tasks abandoned: nobody works on them or waits for them, and
   * the analytics no longer reports them as stuck. A completion that arrives later still counts.
   */
  private void abandonOpenTasks(String runId, RunState run, Instant ts, String outcome) {
    Set<TaskKey> open = openByRun.get(runId);
    if (open == null) {
      return;
    }
    for (TaskKey key : List.copyOf(open)) {
      TaskState task = tasks.get(key);
      task.flags.add("abandoned: run " + outcome + " while it was " + task.state);
      task.endedAt = ts;
      task.updatedAt = task.updatedAt == null || ts.isAfter(task.updatedAt) ? ts : task.updatedAt;
      transition(task, run, ABANDONED);
      dirty.add(task);
    }
  }

  private void applyTask(Event e, AgentState agent, RunState run) {
    JsonNode data = e.data();
    String taskId = text(data, "taskId");
    TaskKey key = new TaskKey(e.runId() == null ? "" : e.runId(), taskId);
    TaskState task = tasks.get(key);
    boolean isNew = task == null;
    if (isNew) {
      task = new TaskState();
      task.runId = e.runId();
      task.taskId = taskId;
      tasks.put(key, task);
      if (!e.type().equals("task.created")) {
        task.flags.add(e.type() + " before task.created");
        task.createdAt = e.ts();
        transition(task, run, "created");
      }
    }
    dirty.add(task);
    task.events++;
    Instant ts = e.ts();
    task.updatedAt = task.updatedAt == null || ts.isAfter(task.updatedAt) ? ts : task.updatedAt;
    switch (e.type()) {
      case "task.created" -> {
        if (!isNew && task.createdBy != null) {
          task.flags.add("created again by " + e.agentId());
          return;
        }
        // New, or late: other events of the task came first (flagged then) and made it implicitly;
        // what only task.created says (title, parent, creator, time) is still worth keeping.
        task.title = text(data, "title");
        task.parentTaskId = text(data, "parentTaskId");
        task.createdBy = e.agentId();
        task.createdAt = ts;
        if (isNew) {
          transition(task, run, "created");
        }
        String assignee = text(data, "assignee");
        if (assignee != null && (task.state.equals("created") || isRunBy(task, assignee))) {
          assign(task, run, assignee, ts);
        }
      }
      case "task.assigned" -> {
        if (task.terminal()) {
          task.flags.add("assigned to " + text(data, "assignee") + " after it " + task.state);
          return;
        }
        String assignee = text(data, "assignee");
        if (task.state.equals("running") && !java.util.Objects.equals(assignee, task.assignee)) {
          task.flags.add("reassigned from " + task.assignee + " to " + assignee + " while running");
        }
        assign(task, run, assignee, ts);
      }
      case "task.started" -> {
        if (task.state.equals("completed")) {
          task.flags.add("started by " + e.agentId() + " after it completed");
          return;
        }
        if (task.state.equals("created")) {
          task.flags.add("started without an assignment");
        } else if (task.state.equals("running")) {
          task.flags.add("started again by " + e.agentId());
        } else if (task.state.equals("failed")) {
          task.flags.add("started again by " + e.agentId() + " after it failed");
        } else if (task.state.equals(ABANDONED)) {
          task.flags.add("started by " + e.agentId() + " after its run ended");
        }
        flagForeignAgent(task, e, "started");
        if (task.assignee == null) {
          task.assignee = e.agentId();
        }
        task.startedAt = ts;
        task.endedAt = null;
        task.durationMs = null;
        task.error = null;
        task.completedBy = null;
        transition(task, run, "running");
        agent.counters.tasksStarted++;
        agent.currentTaskId = task.taskId;
        agent.currentRunId = task.runId;
      }
      case "task.progress" -> {
        if (!task.state.equals("running")) {
          task.flags.add("progress reported while " + task.state);
        }
        // A completed task stays at 100 %, however late a progress report arrives.
        if (!task.state.equals("completed") && (task.progressAt == null || !ts.isBefore(task.progressAt))) {
          task.percent = number(data, "percent");
          task.progressAt = ts;
        }
      }
      case "task.completed" -> {
        if (task.terminal()) {
          task.flags.add((task.state.equals("completed") ? "completed again by " : "completed after it failed, by ")
              + e.agentId());
          return;
        }
        if (!task.state.equals("running")) {
          task.flags.add("completed while " + task.state);
        }
        flagForeignAgent(task, e, "completed");
        end(task, ts, e.agentId());
        task.percent = 100.0;
        transition(task, run, "completed");
        agent.counters.tasksCompleted++;
        clearCurrent(agent, task);
      }
      case "task.failed" -> {
        if (task.terminal()) {
          task.flags.add("failed after it " + task.state + ", by " + e.agentId());
          return;
        }
        flagForeignAgent(task, e, "failed");
        end(task, ts, e.agentId());
        task.error = text(data, "error");
        transition(task, run, "failed");
        agent.counters.tasksFailed++;
        countError(agent, run);
        clearCurrent(agent, task);
      }
      default -> throw new IllegalArgumentException("not a task event: " + e.type());
    }
  }

  private void assign(TaskState task, RunState run, String assignee, Instant ts) {
    if (isRunBy(task, assignee)) {
      // The manager's assignment arrived after the worker's start (agents' events interleave
      // freely): it is recorded, but a running task does not move back to assigned.
      task.flags.add("assigned to " + assignee + " after it started");
    } else {
      transition(task, run, "assigned");
    }
    task.assignee = assignee;
    task.assignedAt = ts;
    if (assignee != null) {
      touchAgent(assignee, null).counters.tasksAssigned++;
    }
  }

  private static boolean isRunBy(TaskState task, String agentId) {
    return task.state.equals("running") && agentId != null && agentId.equals(task.assignee);
  }

  private static void end(TaskState task, Instant ts, String agentId) {
    task.endedAt = ts;
    task.completedBy = agentId;
    task.durationMs = task.startedAt == null ? null : Math.max(0, Duration.between(task.startedAt, ts).toMillis());
  }

  private static void flagForeignAgent(TaskState task, Event e, String verb) {
    if (task.assignee != null && !task.assignee.equals(e.agentId())) {
      task.flags.add(verb + " by " + e.agentId() + " but assigned to " + task.assignee);
    }
  }

  private static void clearCurrent(AgentState agent, TaskState task) {
    if (task.taskId.equals(agent.currentTaskId) && java.util.Objects.equals(task.runId, agent.currentRunId)) {
      agent.currentTaskId = null;
      agent.currentRunId = null;
    }
  }

  private void transition(TaskState task, RunState run, String to) {
    if (run != null) {
      run.tasks.move(task.state, to);
    }
    task.state = to;
    index(new TaskKey(task.runId == null ? "" : task.runId, task.taskId), to);
  }

  private void countError(AgentState agent, RunState run) {
    agent.counters.errors++;
    if (run != null) {
      run.totals.errors++;
    }
  }

  private void applyEdit(Event e) {
    JsonNode data = e.data();
    JsonNode expected = data.get("expectedVersion");
    if (e.type().equals(AGENT_EDITED)) {
      AgentState agent = agents.get(e.agentId());
      if (agent == null || (expected != null && expected.asLong() != agent.version)) {
        return;
      }
      if (data.has("displayName")) {
        agent.displayName = text(data, "displayName");
      }
      if (data.has("tags")) {
        agent.tags = strings(data.get("tags"));
      }
      if (data.has("notes")) {
        agent.notes = text(data, "notes");
      }
      agent.version++;
      dirty.add(agent);
    } else {
      RunState run = e.runId() == null ? null : runs.get(e.runId());
      if (run == null || (expected != null && expected.asLong() != run.version)) {
        return;
      }
      if (data.has("title")) {
        run.title = text(data, "title");
      }
      if (data.has("labels")) {
        run.labels = strings(data.get("labels"));
      }
      run.version++;
      dirty.add(run);
    }
  }

  private AgentState touchAgent(String agentId, Instant ts) {
    AgentState agent = agents.computeIfAbsent(agentId, id -> {
      AgentState a = new AgentState();
      a.agentId = id;
      return a;
    });
    if (ts != null) {
      agent.firstSeen = agent.firstSeen == null || ts.isBefore(agent.firstSeen) ? ts : agent.firstSeen;
      agent.lastSeen = agent.lastSeen == null || ts.isAfter(agent.lastSeen) ? ts : agent.lastSeen;
    }
    dirty.add(agent);
    return agent;
  }

  private RunState touchRun(String runId, Instant ts) {
    RunState run = runs.computeIfAbsent(runId, id -> {
      RunState r = new RunState();
      r.runId = id;
      return r;
    });
    run.startedAt = run.startedAt == null || ts.isBefore(run.startedAt) ? ts : run.startedAt;
    run.lastEventAt = run.lastEventAt == null || ts.isAfter(run.lastEventAt) ? ts : run.lastEventAt;
    dirty.add(run);
    return run;
  }

  /**
   * The field as text. Never throws: the fold must not stop on an odd payload (validation makes
   * them rare; an unknown-typed or server-made event is not validated field by field).
   */
  private static String text(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v == null || v.isNull() ? null : v.isValueNode() ? v.asString() : v.toString();
  }

  private static Double number(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v != null && v.isNumber() ? v.doubleValue() : null;
  }

  private static long whole(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v != null && v.canConvertToLong() ? v.longValue() : 0;
  }

  private static List<String> strings(JsonNode node) {
    return node == null || !node.isArray() ? List.of()
        : node.valueStream().map(v -> v.isValueNode() ? v.asString() : v.toString()).toList();
  }
}
