package io.agentwatch.core.state;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random manager/worker runs for property tests. A manager registers, creates and assigns tasks,
 * talks to its workers and ends the run; workers register, start, report progress, complete or
 * fail their tasks, call models and tools and send heartbeats. Each agent's events keep their
 * order, but agents are interleaved at random (so a worker may start a task before the manager's
 * {@code task.created} is in the log), some tasks get odd transitions (completed twice, started
 * after completion, progress before start, started by another worker), server-made edits carry
 * matching or stale versions, and producer times are skewed by up to ± {@code skewMillis}.
 */
public final class AgentRuns {

  /** An event and the tenant it is appended for. */
  public record Planned(String tenant, Event event) {}

  /** One append call. */
  public record Batch(String tenant, List<Event> events) {}

  private record Draft(String type, String agentId, String runId, ObjectNode data) {}

  private final Random random;
  private final Instant start;
  private final long stepMillis;
  private final int skewMillis;
  private int ids;

  /**
   * @param start      the producer time of the first event (before skew)
   * @param stepMillis how far producer time moves between two consecutive events of the plan
   * @param skewMillis the most an event's time is off, either way
   */
  public AgentRuns(Random random, Instant start, long stepMillis, int skewMillis) {
    this.random = random;
    this.start = start;
    this.stepMillis = stepMillis;
    this.skewMillis = skewMillis;
  }

  /**
   * Events of {@code runs.length} runs per tenant, interleaved at random across runs and tenants.
   *
   * @param runs for each run, {@code {tenantIndex, workers, tasks, chatter}} and optionally a run
   *             number; run i is named {@code "r" + (number or i)} in tenant {@code "t" + tenantIndex}
   */
  public List<Planned> plan(int[]... runs) {
    List<Deque<Planned>> streams = new ArrayList<>();
    for (int i = 0; i < runs.length; i++) {
      String tenant = "t" + runs[i][0];
      Deque<Planned> stream = new ArrayDeque<>();
      String runId = "r" + (runs[i].length > 4 ? runs[i][4] : i);
      for (Draft d : run(runId, runs[i][1], runs[i][2], runs[i][3])) {
        stream.add(new Planned(tenant, toEvent(d)));
      }
      streams.add(stream);
    }
    List<Planned> merged = new ArrayList<>();
    for (Planned p : merge(streams)) {
      Event e = p.event();
      long skew = skewMillis == 0 ? 0 : random.nextInt(2 * skewMillis + 1) - skewMillis;
      Instant ts = start.plusMillis(merged.size() * stepMillis + skew).plusNanos(random.nextInt(1000));
      merged.add(new Planned(p.tenant(), new Event(e.id(), e.type(), e.agentId(), e.runId(), ts, null, null, e.data())));
    }
    return merged;
  }

  /** The latest producer time a plan of {@code events} events can carry. */
  public Instant end(int events) {
    return start.plusMillis(events * stepMillis + skewMillis + 1);
  }

  /**
   * Cuts {@code plan} into append calls of one tenant each, 1 to {@code maxBatch} events long;
   * about one call in ten also re-sends events appended before (a retry), which the log must
   * store once.
   */
  public List<Batch> batches(List<Planned> plan, int maxBatch) {
    List<Batch> out = new ArrayList<>();
    int i = 0;
    while (i < plan.size()) {
      String tenant = plan.get(i).tenant();
      int size = 1 + random.nextInt(maxBatch);
      List<Event> events = new ArrayList<>();
      while (i < plan.size() && events.size() < size && plan.get(i).tenant().equals(tenant)) {
        events.add(plan.get(i++).event());
      }
      if (i > events.size() && random.nextInt(10) == 0) {
        List<Event> earlier = plan.subList(0, i - events.size()).stream()
            .filter(p -> p.tenant().equals(tenant)).map(Planned::event).toList();
        if (!earlier.isEmpty()) {
          int from = random.nextInt(earlier.size());
          List<Event> resent = earlier.subList(from, Math.min(earlier.size(), from + 1 + random.nextInt(5)));
          events.addAll(random.nextBoolean() ? 0 : events.size(), resent);
        }
      }
      out.add(new Batch(tenant, events));
    }
    return out;
  }

  /** The event with its id; its time is set once the plan's order is known. */
  private Event toEvent(Draft d) {
    return new Event("ev-" + ids++, d.type(), d.agentId(), d.runId(), start, null, null, d.data());
  }

  private <T> List<T> merge(List<Deque<T>> streams) {
    List<T> out = new ArrayList<>();
    List<Deque<T>> open = new ArrayList<>(streams);
    open.removeIf(Deque::isEmpty);
    while (!open.isEmpty()) {
      int pick = random.nextInt(open.size());
      out.add(open.get(pick).poll());
      if (open.get(pick).isEmpty()) {
        open.remove(pick);
      }
    }
    return out;
  }

  /** One run's events: each agent's in its own order, agents interleaved at random. */
  private List<Draft> run(String runId, int workers, int tasks, int chatter) {
    String manager = "mgr-" + random.nextInt(2);
    List<String> workerIds = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      workerIds.add("w" + random.nextInt(workers + 2));
    }
    workerIds = workerIds.stream().distinct().toList();
    Deque<Draft> mgr = new ArrayDeque<>();
    List<Deque<Draft>> wrk = new ArrayList<>();
    workerIds.forEach(w -> wrk.add(new ArrayDeque<>()));

    mgr.add(draft("agent.registered", manager, runId, "role", "manager", "name", "Manager " + manager));
    for (int w = 0; w < workerIds.size(); w++) {
      wrk.get(w).add(draft("agent.registered", workerIds.get(w), runId, "role", "worker",
          "capabilities", List.of("search", "w" + w)));
    }
    for (int k = 0; k < tasks; k++) {
      String taskId = "k" + k;
      int w = random.nextInt(workerIds.size());
      String worker = workerIds.get(w);
      if (random.nextBoolean()) {
        mgr.add(draft("task.created", manager, runId, "taskId", taskId, "title", "task " + k, "assignee", worker));
      } else {
        mgr.add(draft("task.created", manager, runId, "taskId", taskId, "title", "task " + k,
            "parentTaskId", k > 0 ? "k" + random.nextInt(k) : null));
        mgr.add(draft("task.assigned", manager, runId, "taskId", taskId, "assignee", worker));
      }
      Deque<Draft> mine = wrk.get(w);
      if (random.nextInt(20) == 0) {
        mine.add(draft("task.progress", worker, runId, "taskId", taskId, "percent", 1));
      }
      mine.add(draft("task.started", worker, runId, "taskId", taskId));
      if (random.nextInt(20) == 0) {
        int other = random.nextInt(workerIds.size());
        wrk.get(other).add(draft("task.started", workerIds.get(other), runId, "taskId", taskId));
      }
      int percent = 0;
      for (int n = random.nextInt(4); n > 0; n--) {
        percent = Math.min(99, percent + 1 + random.nextInt(40));
        mine.add(draft("task.progress", worker, runId, "taskId", taskId, "percent", percent));
      }
      if (random.nextInt(7) == 0) {
        mine.add(draft("task.failed", worker, runId, "taskId", taskId, "error", "error " + k));
        if (random.nextBoolean()) {
          mine.add(draft("task.started", worker, runId, "taskId", taskId));
          mine.add(draft("task.completed", worker, runId, "taskId", taskId));
        }
      } else {
        mine.add(draft("task.completed", worker, runId, "taskId", taskId));
      }
      if (random.nextInt(20) == 0) {
        mine.add(draft("task.completed", worker, runId, "taskId", taskId));
      }
      if (random.nextInt(25) == 0) {
        mine.add(draft("task.started", worker, runId, "taskId", taskId));
      }
    }
    for (int c = 0; c < chatter; c++) {
      int w = random.nextInt(workerIds.size());
      String worker = workerIds.get(w);
      Deque<Draft> mine = wrk.get(w);
      switch (random.nextInt(9)) {
        case 0 -> mgr.add(draft("message.sent", manager, runId, "to", worker, "content", "how is it going?"));
        case 1 -> mine.add(draft("message.sent", worker, runId, "to", manager, "content", "fine"));
        case 2 -> mine.add(draft("llm.call", worker, runId, "model", "m1", "inputTokens", random.nextInt(2000),
            "outputTokens", random.nextInt(500), "costUsd", random.nextInt(1000) / 10_000.0));
        case 3 -> mgr.add(draft("llm.call", manager, runId, "model", "m2", "inputTokens", random.nextInt(900),
            "outputTokens", random.nextInt(90)));
        case 4 -> {
          mine.add(draft("tool.called", worker, runId, "tool", "search"));
          mine.add(random.nextInt(5) == 0
              ? draft("tool.result", worker, runId, "tool", "search", "error", "timeout")
              : draft("tool.result", worker, runId, "tool", "search", "durationMs", random.nextInt(500)));
        }
        case 5 -> mine.add(draft("agent.heartbeat", worker, random.nextBoolean() ? runId : null,
            "cpu", random.nextInt(100) / 100.0, "memoryMb", 100 + random.nextInt(400), "queueDepth", random.nextInt(5)));
        case 6 -> mine.add(draft("agent.status", worker, random.nextBoolean() ? runId : null,
            "status", List.of("idle", "busy", "paused", "error").get(random.nextInt(4))));
        case 7 -> mine.add(draft(Projection.AGENT_EDITED, worker, null, "displayName", "Worker " + c,
            "tags", List.of("t" + c), "expectedVersion", random.nextInt(3)));
        default -> mgr.add(draft(Projection.RUN_EDITED, "agentwatch-api", runId, "title", "Run " + c,
            "labels", List.of("l" + c), "expectedVersion", random.nextInt(3)));
      }
    }
    switch (random.nextInt(5)) {
      case 0 -> mgr.add(draft("run.failed", manager, runId));
      case 1 -> { }
      default -> mgr.add(draft("run.completed", manager, runId));
    }
    List<Deque<Draft>> all = new ArrayList<>(wrk);
    all.add(mgr);
    List<Draft> merged = merge(all);
    if (random.nextBoolean()) {
      // A helper that joins late: its events only mix into the second half of the run.
      String late = "helper-" + random.nextInt(3);
      Deque<Draft> helper = new ArrayDeque<>();
      helper.add(draft("agent.registered", late, runId, "role", "helper"));
      for (int n = random.nextInt(10); n >= 0; n--) {
        helper.add(random.nextBoolean()
            ? draft("message.sent", late, runId, "to", manager, "content", "can I help?")
            : draft("llm.call", late, runId, "model", "m3", "inputTokens", 5, "outputTokens", 1, "costUsd", 0.001));
      }
      int half = merged.size() / 2;
      Deque<Draft> tail = new ArrayDeque<>(merged.subList(half, merged.size()));
      List<Draft> out = new ArrayList<>(merged.subList(0, half));
      out.addAll(merge(new ArrayList<>(List.of(tail, helper))));
      return out;
    }
    return merged;
  }

  private static Draft draft(String type, String agentId, String runId, Object... fields) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < fields.length; i += 2) {
      String name = (String) fields[i];
      switch (fields[i + 1]) {
        case null -> { }
        case String s -> data.put(name, s);
        case Integer n -> data.put(name, n);
        case Double d -> data.put(name, d);
        case List<?> list -> {
          ArrayNode array = data.putArray(name);
          list.forEach(v -> array.add((String) v));
        }
        default -> throw new IllegalArgumentException("unsupported value " + fields[i + 1]);
      }
    }
    return new Draft(type, agentId, runId, data);
  }
}
