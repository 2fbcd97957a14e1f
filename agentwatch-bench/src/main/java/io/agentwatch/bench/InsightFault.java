package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.node.ObjectNode;

/**
 * The faults the insight benchmark injects, one of each detector type, into a run of their own
 * among a simulated team's traffic, using the team's agent ids (reused, as in real systems).
 * Each knows the agents the finding must name, and what triggers it: an event (latency counts from
 * its ack) or a deadline (latency counts from when the deadline passed).
 */
enum InsightFault {

  ROUTING_LOOP("routing_loop", false),
  STUCK_TASK("stuck_task", true),
  LOST_AGENT("lost_agent", true),
  RESOURCE_HOARDING("resource_hoarding", true),
  COMMUNICATION_CASCADE("communication_cascade", false),
  INCONSISTENT_AGENT("inconsistent_agent", false),
  ANOMALY("anomaly", false),
  BUDGET("budget", false);

  final String detector;
  /** Whether a deadline (not the trigger event itself) makes the finding. */
  final boolean deadline;

  InsightFault(String detector, boolean deadline) {
    this.detector = detector;
    this.deadline = deadline;
  }

  /** The settings the server runs with (scripts/insight-bench.sh); deadlines are scaled to fit a bench. */
  record Timing(int stuckSeconds, int heartbeatSeconds, int missedBeats, int hoardSeconds, int anomalyBucketSeconds) {

    static final Timing BENCH = new Timing(20, 5, 3, 10, 2);
  }

  /** What an injection did: the agents the finding must name and when its trigger was acked (nanoTime). */
  record Injected(InsightFault fault, String runId, Set<String> agents, long triggerAckedNanos, long deadlineNanos) {}

  /**
   * Injects the fault into run {@code runId} of {@code tenant}, whose team is {@code manager} and
   * {@code workers}. Blocks while the fault needs time (heartbeats before going silent, an anomaly's
   * warm-up).
   */
  Injected inject(InsightTenant tenant, String runId, String manager, List<String> workers, Timing timing)
      throws Exception {
    String w1 = workers.get(0);
    String w2 = workers.get(1 % workers.size());
    String w3 = workers.get(2 % workers.size());
    long nanosPerSecond = 1_000_000_000L;
    switch (this) {
      case ROUTING_LOOP -> {
        long acked = 0;
        String[] ring = {w1, w2, w3};
        for (int round = 0; round < 3; round++) {
          for (int i = 0; i < 3; i++) {
            acked = tenant.ingest(new ArrayList<>(List.of(event("loop-" + round + "-" + i, "task.assigned", ring[i],
                runId, Map.of("taskId", "hot-potato", "assignee", ring[(i + 1) % 3])))));
            Thread.sleep(200);
          }
        }
        return new Injected(this, runId, Set.of(w1, w2, w3), acked, acked);
      }
      case STUCK_TASK -> {
        long acked = tenant.ingest(new ArrayList<>(List.of(
            event("stuck-assign", "task.assigned", manager, runId, Map.of("taskId", "never-done", "assignee", w1)))));
        return new Injected(this, runId, Set.of(w1), acked, acked + timing.stuckSeconds() * nanosPerSecond);
      }
      case LOST_AGENT -> {
        String ghost = manager.replace("manager", "worker-9");
        long acked = 0;
        for (int i = 0; i < 3; i++) {
          acked = tenant.ingest(new ArrayList<>(List.of(event("ghost-beat-" + i, "agent.heartbeat", ghost, runId,
              Map.of("cpu", 5)))));
          Thread.sleep(timing.heartbeatSeconds() * 1000L);
        }
        return new Injected(this, runId, Set.of(ghost), acked,
            acked + (long) timing.heartbeatSeconds() * timing.missedBeats() * nanosPerSecond);
      }
      case RESOURCE_HOARDING -> {
        List<ObjectNode> events = new ArrayList<>(List.of(
            event("hoard-peer-a", "task.assigned", manager, runId, Map.of("taskId", "peer-task", "assignee", w2)),
            event("hoard-peer-s", "task.started", w2, runId, Map.of("taskId", "peer-task")),
            event("hoard-peer-c", "task.completed", w2, runId, Map.of("taskId", "peer-task"))));
        for (int k = 0; k < 6; k++) {
          events.add(event("hoard-" + k, "task.assigned", manager, runId, Map.of("taskId", "hoard-" + k, "assignee", w1)));
        }
        long acked = tenant.ingest(events);
        // The hoarder reports progress till the round ends, so its tasks are held, not stuck.
        for (int tick = 0; tick < 8; tick++) {
          Thread.sleep(4000);
          List<ObjectNode> progress = new ArrayList<>();
          for (int k = 0; k < 6; k++) {
            progress.add(event("hoard-p-" + tick + "-" + k, "task.progress", w1, runId,
                Map.of("taskId", "hoard-" + k, "percent", 10 + tick)));
          }
          tenant.ingest(progress);
        }
        return new Injected(this, runId, Set.of(w1), acked, acked + timing.hoardSeconds() * nanosPerSecond);
      }
      case COMMUNICATION_CASCADE -> {
        List<ObjectNode> burst = new ArrayList<>();
        for (int k = 0; k < 60; k++) {
          burst.add(event("cascade-" + k, "message.sent", k % 2 == 0 ? w1 : w2, runId,
              Map.of("to", "listener-" + (k % 15), "content", "pass it on")));
        }
        long acked = tenant.ingest(burst);
        return new Injected(this, runId, Set.of(w1, w2), acked, acked);
      }
      case INCONSISTENT_AGENT -> {
        tenant.ingest(new ArrayList<>(List.of(
            event("forge-assign", "task.assigned", manager, runId, Map.of("taskId", "forged", "assignee", w1)))));
        long acked = tenant.ingest(new ArrayList<>(List.of(
            event("forge-complete", "task.completed", w2, runId, Map.of("taskId", "forged", "result", "mine")))));
        return new Injected(this, runId, Set.of(w2), acked, acked);
      }
      case ANOMALY -> {
        String steady = manager.replace("manager", "worker-8");
        // Warm-up: the same few events every bucket for 14 buckets, then a burst of errors.
        for (int b = 0; b < 14; b++) {
          tenant.ingest(new ArrayList<>(List.of(
              event("steady-" + b + "-a", "log", steady, runId, Map.of("level", "info", "message", "working")),
              event("steady-" + b + "-b", "log", steady, runId, Map.of("level", "info", "message", "working")))));
          Thread.sleep(timing.anomalyBucketSeconds() * 1000L);
        }
        List<ObjectNode> burst = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
          burst.add(event("burst-" + k, "error.occurred", steady, runId, Map.of("message", "tool timed out")));
        }
        long acked = tenant.ingest(burst);
        // The bucket closes with the agent's next event (or a tick): the finding waits for it.
        return new Injected(this, runId, Set.of(steady), acked, acked + timing.anomalyBucketSeconds() * nanosPerSecond);
      }
      case BUDGET -> {
        tenant.post("/api/v1/budgets", "{\"id\":\"insight-run-budget\",\"metric\":\"tokens\",\"limit\":5000,"
            + "\"per\":\"run\",\"runId\":\"" + runId + "\"}");
        tenant.ingest(new ArrayList<>(List.of(event("spend-1", "llm.call", w1, runId,
            Map.of("model", "m", "inputTokens", 1500, "outputTokens", 500)))));
        long acked = tenant.ingest(new ArrayList<>(List.of(event("spend-2", "llm.call", w2, runId,
            Map.of("model", "m", "inputTokens", 2000, "outputTokens", 500)))));
        tenant.ingest(new ArrayList<>(List.of(event("spend-3", "llm.call", w2, runId,
            Map.of("model", "m", "inputTokens", 2000, "outputTokens", 500)))));
        return new Injected(this, runId, Set.of(w1, w2), acked, acked);
      }
      default -> throw new IllegalStateException(name());
    }
  }

  static ObjectNode event(String id, String type, String agentId, String runId, Map<String, ?> data) {
    ObjectNode e = EventCodec.JSON.createObjectNode();
    e.put("id", id);
    e.put("type", type);
    e.put("agentId", agentId);
    if (runId != null) {
      e.put("runId", runId);
    }
    e.put("ts", java.time.Instant.now().toString());
    e.set("data", EventCodec.JSON.valueToTree(data));
    return e;
  }
}
