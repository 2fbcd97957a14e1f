package io.agentwatch.client.sim;

import io.agentwatch.client.Command;
import io.agentwatch.client.CommandOutcome;
import io.agentwatch.client.Emission;
import java.util.List;
import java.util.Map;

/**
 * Opens runs, creates six tasks per run and assigns each to a worker that is not quarantined (with
 * a message), then ends the run (and, signing off, announces it goes offline and tells the workers). Paused or quarantined, it assigns nothing and only heartbeats.
 */
final class Manager extends SimAgent {

  private static final List<String> TITLES = List.of("Summarise the incident report", "Fix the flaky payment test",
      "Review the pricing change", "Draft the release notes", "Find the slow query", "Check the API contract");
  static final int TASKS_PER_RUN = 6;

  private final String runPrefix;
  private final boolean signOff;
  private int runNumber;
  private String runId;

  Manager(Team team, String runPrefix, long seed, double pace, Throttle throttle, boolean signOff) {
    super(team.manager(), team, seed, pace, throttle);
    this.runPrefix = runPrefix;
    this.signOff = signOff;
  }

  @Override
  public void run() {
    while (running) {
      runId = runPrefix + "-run-" + Long.toString(System.currentTimeMillis(), 36);
      currentRun = runId;
      runNumber++;
      String start = emit("agent.registered", runId, null, null,
          Map.of("role", "manager", "name", "Manager", "capabilities", List.of("plan", "delegate")));
      emit("agent.status", runId, start, null, Map.of("status", "busy"));
      for (int t = 1; t <= TASKS_PER_RUN && running; t++) {
        waitWhileHalted(runId);
        List<String> available = team.available();
        while (available.isEmpty() && running) {
          // Every worker is quarantined: wait for one to be released.
          heartbeatIfDue(runId);
          pause(HEARTBEAT_MILLIS / 4);
          available = team.available();
        }
        if (!running) {
          break;
        }
        assign(pick(available), "task-" + runNumber + "-" + t, start);
        heartbeat(runId);
        pause(1500 + random.nextInt(2000));
      }
      pause(8000);
      emit("log", runId, start, null, Map.of("level", "info", "message", "run " + runId + " finished"));
      emit("agent.status", runId, start, null, Map.of("status", "idle"));
      emit("run.completed", runId, start, null, Map.of("tasks", TASKS_PER_RUN));
      if (signOff) {
        emit("agent.status", runId, start, null, Map.of("status", "offline"));
        team.inboxes().forEach(inbox -> inbox.offer(Team.Task.signOff(runId)));
      }
      pause(3000);
    }
  }

  private void assign(String worker, String taskId, String start) {
    String title = pick(TITLES);
    String created = emit("task.created", runId, start, null, Map.of("taskId", taskId, "title", title));
    emit("message.sent", runId, created, worker, Map.of("to", worker, "content", "Please take " + taskId + ": " + title));
    Emission assigned = send("task.assigned", runId, created, worker, Map.of("taskId", taskId, "assignee", worker));
    awaitStored(assigned);
    team.inbox(worker).offer(new Team.Task(runId, taskId, title, created));
  }

  @Override
  CommandOutcome cancel(Command command) {
    return CommandOutcome.rejected(id + " runs no task of its own; pause it, or cancel a worker's task");
  }

  @Override
  String resumedStatus() {
    return "busy";
  }
}
