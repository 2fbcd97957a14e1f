package io.agentwatch.client.sim;

import io.agentwatch.client.Command;
import io.agentwatch.client.CommandOutcome;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Takes tasks from its inbox and works on each in three steps (a tool call and its result, a model
 * call, progress), then completes it, or in one case of ten fails it. Paused or quarantined, it
 * takes no task and suspends the current one, heartbeating; a cancel fails the current task with
 * the error {@code cancelled}.
 */
final class Worker extends SimAgent {

  private static final List<String> TOOLS = List.of("web_search", "read_file", "run_tests", "write_file", "sql_query");
  private static final List<String> MODELS = List.of("gpt-4o-mini", "claude-sonnet", "llama-3-70b");

  private Team.Task current;
  private boolean cancelled;
  private boolean offline;

  Worker(String id, Team team, long seed, double pace, Throttle throttle) {
    super(id, team, seed, pace, throttle);
  }

  @Override
  public void run() {
    emit("agent.registered", null, null, null, Map.of("role", "worker", "name", capitalised(id),
        "capabilities", List.of("tools", "llm")));
    while (running) {
      applyCommands();
      waitWhileHalted(null);
      Team.Task task;
      try {
        task = team.inbox(id).poll(Math.min(HEARTBEAT_MILLIS, 250), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (task == null) {
        if (!offline) {
          heartbeatIfDue(null);
        }
      } else if (task.isSignOff()) {
        emit("agent.status", task.runId(), null, null, Map.of("status", "offline"));
        offline = true;
      } else {
        if (offline) {
          // Back for the next run's work: the same id, announced again.
          emit("agent.registered", task.runId(), null, null, Map.of("role", "worker", "name", capitalised(id),
              "capabilities", List.of("tools", "llm")));
          offline = false;
        }
        work(task);
      }
    }
  }

  private void work(Team.Task task) {
    current = task;
    cancelled = false;
    String run = task.runId();
    currentRun = run;
    String started = emit("task.started", run, task.createdEventId(), null, Map.of("taskId", task.taskId()));
    emit("agent.status", run, started, null, Map.of("status", "busy"));
    for (int step = 1; step <= 3 && running && !cancelled; step++) {
      String tool = pick(TOOLS);
      String call = emit("tool.called", run, started, null, Map.of("tool", tool));
      int toolMs = 80 + random.nextInt(900);
      pause(toolMs);
      if (cancelled || !running) {
        break;
      }
      emit("tool.result", run, call, null, Map.of("tool", tool, "durationMs", toolMs));
      int in = 300 + random.nextInt(3000);
      int out = 50 + random.nextInt(800);
      emit("llm.call", run, call, null, Map.of("model", pick(MODELS), "inputTokens", in, "outputTokens", out,
          "costUsd", Math.round((in * 0.15 + out * 0.6) / 10.0) / 100000.0, "latencyMs", 200 + random.nextInt(1800)));
      emit("task.progress", run, started, null, Map.of("taskId", task.taskId(), "percent", step * 33));
      heartbeat(run);
      pause(300 + random.nextInt(700));
    }
    if (cancelled) {
      emit("task.failed", run, started, null, Map.of("taskId", task.taskId(), "error", "cancelled"));
      emit("message.sent", run, started, team.manager(),
          Map.of("to", team.manager(), "content", task.taskId() + " was cancelled"));
    } else if (random.nextInt(10) == 0) {
      String error = "tool timed out after 30s";
      emit("error.occurred", run, started, null, Map.of("message", error));
      emit("task.failed", run, started, null, Map.of("taskId", task.taskId(), "error", error));
      emit("message.sent", run, started, team.manager(), Map.of("to", team.manager(), "content",
          task.taskId() + " failed"));
    } else {
      emit("task.completed", run, started, null, Map.of("taskId", task.taskId()));
      emit("message.sent", run, started, team.manager(), Map.of("to", team.manager(), "content",
          task.taskId() + " is done"));
    }
    current = null;
    currentRun = null;
    emit("agent.status", run, started, null, Map.of("status", paused ? "paused" : quarantined ? "quarantined" : "idle"));
  }

  @Override
  CommandOutcome cancel(Command command) {
    if (current == null) {
      return CommandOutcome.rejected(id + " has no task in progress");
    }
    if (command.taskId() != null && !command.taskId().equals(current.taskId())) {
      return CommandOutcome.rejected(id + " is working on " + current.taskId() + ", not " + command.taskId());
    }
    cancelled = true;
    return CommandOutcome.done();
  }

  @Override
  boolean halted() {
    // A cancelled task ends even while the worker is paused.
    return super.halted() && !(cancelled && current != null);
  }

  @Override
  String resumedStatus() {
    return current != null ? "busy" : "idle";
  }
}
