package io.agentwatch.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

class ProjectionTest {

  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  private final Projection p = new Projection();
  private final List<Event> applied = new ArrayList<>();
  private int ids;

  /** An event at {@code T0 + second}; {@code fields} are name, value pairs of its data. */
  private Event event(String type, String agent, String run, double second, Object... fields) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    for (int i = 0; i < fields.length; i += 2) {
      String name = (String) fields[i];
      switch (fields[i + 1]) {
        case null -> data.putNull(name);
        case String s -> data.put(name, s);
        case Integer n -> data.put(name, n);
        case Long n -> data.put(name, n);
        case Double d -> data.put(name, d);
        case List<?> list -> {
          ArrayNode array = data.putArray(name);
          list.forEach(v -> array.add((String) v));
        }
        default -> throw new IllegalArgumentException("unsupported value " + fields[i + 1]);
      }
    }
    Instant ts = T0.plusNanos((long) (second * 1_000_000_000L));
    return new Event("e" + ids++, type, agent, run, ts, null, null, data);
  }

  private void apply(String type, String agent, String run, double second, Object... fields) {
    Event e = event(type, agent, run, second, fields);
    applied.add(e);
    p.apply(e);
  }

  private TaskState task(String run, String taskId) {
    return p.tasks().stream().filter(t -> taskId.equals(t.taskId) && java.util.Objects.equals(run, t.runId))
        .findFirst().orElseThrow();
  }

  private static Instant at(double second) {
    return T0.plusNanos((long) (second * 1_000_000_000L));
  }

  private void createAssignAndStart(String taskId) {
    apply("task.created", "mgr", "r1", 1, "taskId", taskId, "title", "do " + taskId, "assignee", "w1");
    apply("task.started", "w1", "r1", 2, "taskId", taskId);
  }

  // ---- agents ----

  @Test
  void theAnalyticsAlertsAreCountedButMakeNoAgentOrRunActivity() {
    apply("log", "w1", "r1", 0, "level", "info", "message", "x");
    apply("alert.raised", "agentwatch-analytics", "r1", 1, "alertId", "a1", "detector", "stuck_task");
    assertThat(p.events()).isEqualTo(2);
    assertThat(p.agent("agentwatch-analytics")).isNull();
    assertThat(p.run("r1").totals.events).isEqualTo(1);
    assertThat(p.run("r1").participants).containsOnlyKeys("w1");
  }

  @Test
  void registrationSetsRoleNameAndCapabilitiesAndJoinsTheRun() {
    apply("agent.registered", "w1", "r1", 0, "role", "worker", "name", "Worker One",
        "capabilities", List.of("search", "code"));

    AgentState a = p.agent("w1");
    assertThat(a.role).isEqualTo("worker");
    assertThat(a.name).isEqualTo("Worker One");
    assertThat(a.capabilities).containsExactly("search", "code");
    assertThat(a.lastRunId).isEqualTo("r1");
    assertThat(p.run("r1").participants).containsEntry("w1", "worker");
  }

  @Test
  void anAgentThatSpeaksBeforeRegisteringJoinsTheRunWithoutARoleUntilItRegisters() {
    apply("log", "w1", "r1", 0, "level", "info", "message", "hi");
    assertThat(p.run("r1").participants).containsEntry("w1", null);

    apply("agent.registered", "w1", "r1", 1, "role", "worker");
    assertThat(p.run("r1").participants).containsEntry("w1", "worker");
  }

  @Test
  void aHeartbeatRecordsItsNumbersAndTime() {
    apply("agent.heartbeat", "w1", null, 5, "cpu", 0.5, "memoryMb", 512, "queueDepth", 3);

    AgentState a = p.agent("w1");
    assertThat(a.lastHeartbeat).isEqualTo(at(5));
    assertThat(a.heartbeat.cpu).isEqualTo(0.5);
    assertThat(a.heartbeat.memoryMb).isEqualTo(512.0);
    assertThat(a.heartbeat.queueDepth).isEqualTo(3.0);
  }

  @Test
  void anOlderHeartbeatArrivingLaterDoesNotWin() {
    apply("agent.heartbeat", "w1", null, 10, "cpu", 0.9);
    apply("agent.heartbeat", "w1", null, 7, "cpu", 0.1);

    assertThat(p.agent("w1").lastHeartbeat).isEqualTo(at(10));
    assertThat(p.agent("w1").heartbeat.cpu).isEqualTo(0.9);
    assertThat(p.agent("w1").counters.events).isEqualTo(2);
  }

  @Test
  void anOlderStatusArrivingLaterDoesNotWinButOneWithTheSameTimeDoes() {
    apply("agent.status", "w1", null, 10, "status", "busy");
    apply("agent.status", "w1", null, 9, "status", "idle");
    assertThat(p.agent("w1").status).isEqualTo("busy");
    assertThat(p.agent("w1").statusAt).isEqualTo(at(10));

    apply("agent.status", "w1", null, 10, "status", "paused");
    assertThat(p.agent("w1").status).isEqualTo("paused");
  }

  @Test
  void firstAndLastSeenAndTheRunsTimesSpanEveryEventWhateverTheOrder() {
    apply("log", "w1", "r1", 5, "level", "info", "message", "a");
    apply("log", "w1", "r1", 3, "level", "info", "message", "b");
    apply("log", "w1", "r1", 8, "level", "info", "message", "c");
    apply("log", "w1", "r1", 6, "level", "info", "message", "d");

    assertThat(p.agent("w1").firstSeen).isEqualTo(at(3));
    assertThat(p.agent("w1").lastSeen).isEqualTo(at(8));
    assertThat(p.run("r1").startedAt).isEqualTo(at(3));
    assertThat(p.run("r1").lastEventAt).isEqualTo(at(8));
    assertThat(p.agent("w1").counters.events).isEqualTo(4);
    assertThat(p.run("r1").totals.events).isEqualTo(4);
    assertThat(p.events()).isEqualTo(4);
  }

  @Test
  void aMessageCountsForItsSenderAndItsRecipient() {
    apply("message.sent", "mgr", "r1", 1, "to", "w1", "content", "please");
    apply("message.sent", "mgr", "r1", 2, "to", "w1", "content", "now");
    apply("message.sent", "w1", "r1", 3, "to", "mgr", "content", "ok");
    apply("message.sent", "w1", "r1", 4, "to", "w1", "content", "note to self");

    assertThat(p.agent("mgr").counters.messagesSent).isEqualTo(2);
    assertThat(p.agent("mgr").counters.messagesReceived).isEqualTo(1);
    assertThat(p.agent("w1").counters.messagesSent).isEqualTo(2);
    assertThat(p.agent("w1").counters.messagesReceived).isEqualTo(2);
    assertThat(p.run("r1").totals.messages).isEqualTo(4);
  }

  @Test
  void aMessageToAnAgentNeverSeenMakesThatAgentKnown() {
    apply("message.sent", "mgr", null, 1, "to", "w9", "content", "hello?");

    assertThat(p.agent("w9").counters.messagesReceived).isEqualTo(1);
    assertThat(p.agent("w9").counters.events).isZero();
    assertThat(p.agent("w9").firstSeen).isNull();
  }

  @Test
  void llmCallsSumTokensAndCostOnTheAgentAndTheRun() {
    apply("llm.call", "w1", "r1", 1, "model", "m", "inputTokens", 100, "outputTokens", 20, "costUsd", 0.25);
    apply("llm.call", "w1", "r1", 2, "model", "m", "inputTokens", 50, "outputTokens", 5);
    apply("llm.call", "w2", "r1", 3, "model", "m", "inputTokens", 7, "outputTokens", 3, "costUsd", 0.5);
    apply("llm.call", "w1", "r2", 4, "model", "m", "inputTokens", 1, "outputTokens", 1, "costUsd", 1.0);

    AgentState.Counters w1 = p.agent("w1").counters;
    assertThat(w1.llmCalls).isEqualTo(3);
    assertThat(w1.inputTokens).isEqualTo(151);
    assertThat(w1.outputTokens).isEqualTo(26);
    assertThat(w1.costUsd).isCloseTo(1.25, within(1e-12));
    RunState.Totals r1 = p.run("r1").totals;
    assertThat(r1.llmCalls).isEqualTo(3);
    assertThat(r1.inputTokens).isEqualTo(157);
    assertThat(r1.outputTokens).isEqualTo(28);
    assertThat(r1.costUsd).isCloseTo(0.75, within(1e-12));
    assertThat(p.run("r2").totals.costUsd).isEqualTo(1.0);
  }

  @Test
  void toolCallsAreCountedAndFailedToolResultsAndErrorsCountAsErrors() {
    apply("tool.called", "w1", "r1", 1, "tool", "search");
    apply("tool.result", "w1", "r1", 2, "tool", "search", "durationMs", 30);
    apply("tool.result", "w1", "r1", 3, "tool", "search", "error", "timeout");
    apply("tool.result", "w1", "r1", 4, "tool", "search", "error", "");
    apply("error.occurred", "w1", "r1", 5, "message", "boom");

    assertThat(p.agent("w1").counters.toolCalls).isEqualTo(1);
    assertThat(p.agent("w1").counters.errors).isEqualTo(2);
    assertThat(p.run("r1").totals.toolCalls).isEqualTo(1);
    assertThat(p.run("r1").totals.errors).isEqualTo(2);
  }

  @Test
  void unknownEventTypesStillCountAndTouchTheirAgentAndRun() {
    apply("custom.thing", "w1", "r1", 4, "anything", "goes");

    assertThat(p.agent("w1").counters.events).isEqualTo(1);
    assertThat(p.run("r1").totals.events).isEqualTo(1);
    assertThat(p.run("r1").lastEventAt).isEqualTo(at(4));
  }

  // ---- runs ----

  @Test
  void aRunIsRunningUntilItCompletes() {
    apply("log", "mgr", "r1", 1, "level", "info", "message", "start");
    assertThat(p.run("r1").status).isEqualTo("running");
    assertThat(p.run("r1").endedAt).isNull();

    apply("run.completed", "mgr", "r1", 9);
    assertThat(p.run("r1").status).isEqualTo("completed");
    assertThat(p.run("r1").endedAt).isEqualTo(at(9));
    assertThat(p.run("r1").totals.events).isEqualTo(2);
  }

  @Test
  void aFailedRunRecordsItsEnd() {
    apply("run.failed", "mgr", "r1", 4);

    assertThat(p.run("r1").status).isEqualTo("failed");
    assertThat(p.run("r1").endedAt).isEqualTo(at(4));
    assertThat(p.run("r1").startedAt).isEqualTo(at(4));
  }

  @Test
  void anOlderRunEndArrivingLaterDoesNotWin() {
    apply("run.failed", "mgr", "r1", 10);
    apply("run.completed", "mgr", "r1", 5);

    assertThat(p.run("r1").status).isEqualTo("failed");
    assertThat(p.run("r1").endedAt).isEqualTo(at(10));

    apply("run.completed", "mgr", "r1", 12);
    assertThat(p.run("r1").status).isEqualTo("completed");
    assertThat(p.run("r1").endedAt).isEqualTo(at(12));
  }

  @Test
  void tasksStillOpenWhenTheirRunEndsAreAbandonedAndALateCompletionStillCounts() {
    apply("task.created", "mgr", "r1", 1, "taskId", "queued");
    apply("task.assigned", "mgr", "r1", 1, "taskId", "queued", "assignee", "w1");
    apply("task.assigned", "mgr", "r1", 2, "taskId", "busy", "assignee", "w2");
    apply("task.started", "w2", "r1", 3, "taskId", "busy");
    apply("task.assigned", "mgr", "r1", 2, "taskId", "done", "assignee", "w3");
    apply("task.completed", "w3", "r1", 4, "taskId", "done");
    apply("task.assigned", "mgr", "r2", 2, "taskId", "elsewhere", "assignee", "w3");

    apply("run.cancelled", "mgr", "r1", 9);
    assertThat(p.run("r1").status).isEqualTo("cancelled");
    assertThat(task("r1", "queued").state).isEqualTo("abandoned");
    assertThat(task("r1", "queued").endedAt).isEqualTo(at(9));
    assertThat(task("r1", "queued").flags).contains("abandoned: run cancelled while it was assigned");
    assertThat(task("r1", "busy").state).isEqualTo("abandoned");
    assertThat(task("r1", "done").state).isEqualTo("completed");
    assertThat(task("r2", "elsewhere").state).as("another run's task").isEqualTo("assigned");
    RunState.TaskCounts counts = p.run("r1").tasks;
    assertThat(List.of(counts.abandoned, counts.assigned, counts.running, counts.completed)).containsExactly(2L, 0L, 0L, 1L);

    apply("task.completed", "w2", "r1", 10, "taskId", "busy");
    assertThat(task("r1", "busy").state).isEqualTo("completed");
    assertThat(List.of(p.run("r1").tasks.abandoned, p.run("r1").tasks.completed)).containsExactly(1L, 2L);
    assertThat(Projection.fromJson(p.toJson()).toJson()).isEqualTo(p.toJson());
  }

  @Test
  void anAgentThatWentOfflineIsBackWithItsNextActivityButNotWithACommandOrAnOlderEvent() {
    apply("agent.registered", "researcher", "run-1", 1, "role", "worker");
    apply("agent.status", "researcher", "run-1", 2, "status", "offline");
    apply("log", "researcher", "run-1", 1.5, "level", "info", "message", "late but older");
    assertThat(p.agent("researcher").status).isEqualTo("offline");

    Event command = new Event("cmd-1", "command.issued", "researcher", null, at(3), null, "researcher",
        EventCodec.JSON.createObjectNode().put("type", "resume"));
    p.apply(command);
    assertThat(p.agent("researcher").status).isEqualTo("offline");

    apply("agent.heartbeat", "researcher", "run-2", 60, "cpu", 3);
    assertThat(p.agent("researcher").status).isEqualTo("idle");
    assertThat(p.agent("researcher").statusAt).isEqualTo(at(60));
  }

  // ---- tasks ----

  @Test
  void aTaskGoesFromCreatedThroughAssignedAndRunningToCompleted() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "title", "Research", "parentTaskId", "k0");
    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("created");
    assertThat(t.title).isEqualTo("Research");
    assertThat(t.parentTaskId).isEqualTo("k0");
    assertThat(t.createdBy).isEqualTo("mgr");
    assertThat(t.createdAt).isEqualTo(at(1));
    assertThat(p.run("r1").tasks.created).isEqualTo(1);

    apply("task.assigned", "mgr", "r1", 2, "taskId", "k1", "assignee", "w1");
    assertThat(t.state).isEqualTo("assigned");
    assertThat(t.assignee).isEqualTo("w1");
    assertThat(t.assignedAt).isEqualTo(at(2));
    assertThat(p.agent("w1").counters.tasksAssigned).isEqualTo(1);

    apply("task.started", "w1", "r1", 3, "taskId", "k1");
    assertThat(t.state).isEqualTo("running");
    assertThat(t.startedAt).isEqualTo(at(3));
    assertThat(p.agent("w1").currentTaskId).isEqualTo("k1");
    assertThat(p.agent("w1").currentRunId).isEqualTo("r1");

    apply("task.progress", "w1", "r1", 4, "taskId", "k1", "percent", 40);
    assertThat(t.percent).isEqualTo(40.0);
    assertThat(t.progressAt).isEqualTo(at(4));

    apply("task.completed", "w1", "r1", 5.5, "taskId", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.endedAt).isEqualTo(at(5.5));
    assertThat(t.durationMs).isEqualTo(2500);
    assertThat(t.percent).isEqualTo(100.0);
    assertThat(t.completedBy).isEqualTo("w1");
    assertThat(t.updatedAt).isEqualTo(at(5.5));
    assertThat(t.events).isEqualTo(5);
    assertThat(t.flags).isEmpty();
    assertThat(p.agent("w1").currentTaskId).isNull();
    assertThat(p.agent("w1").counters.tasksStarted).isEqualTo(1);
    assertThat(p.agent("w1").counters.tasksCompleted).isEqualTo(1);
    RunState.TaskCounts counts = p.run("r1").tasks;
    assertThat(List.of(counts.total, counts.created, counts.assigned, counts.running, counts.completed, counts.failed))
        .containsExactly(1L, 0L, 0L, 0L, 1L, 0L);
  }

  @Test
  void aTaskCreatedWithAnAssigneeIsAssignedAtOnce() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "assignee", "w1");

    assertThat(task("r1", "k1").state).isEqualTo("assigned");
    assertThat(task("r1", "k1").assignedAt).isEqualTo(at(1));
    assertThat(p.run("r1").tasks.assigned).isEqualTo(1);
    assertThat(p.run("r1").tasks.total).isEqualTo(1);
  }

  @Test
  void aFailedTaskRecordsItsErrorAndCountsAsAnError() {
    createAssignAndStart("k1");
    apply("task.failed", "w1", "r1", 4, "taskId", "k1", "error", "no access");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("failed");
    assertThat(t.error).isEqualTo("no access");
    assertThat(t.durationMs).isEqualTo(2000);
    assertThat(t.flags).isEmpty();
    assertThat(p.agent("w1").counters.tasksFailed).isEqualTo(1);
    assertThat(p.agent("w1").counters.errors).isEqualTo(1);
    assertThat(p.agent("w1").currentTaskId).isNull();
    assertThat(p.run("r1").tasks.failed).isEqualTo(1);
    assertThat(p.run("r1").totals.errors).isEqualTo(1);
  }

  @Test
  void completingATaskTwiceIsFlaggedAndTheFirstCompletionStands() {
    createAssignAndStart("k1");
    apply("task.completed", "w1", "r1", 3, "taskId", "k1");
    apply("task.completed", "w1", "r1", 9, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.endedAt).isEqualTo(at(3));
    assertThat(t.flags).containsExactly("completed again by w1");
    assertThat(p.agent("w1").counters.tasksCompleted).isEqualTo(1);
    assertThat(p.run("r1").tasks.completed).isEqualTo(1);
  }

  @Test
  void startingATaskAfterItCompletedIsFlaggedAndIgnored() {
    createAssignAndStart("k1");
    apply("task.completed", "w1", "r1", 3, "taskId", "k1");
    apply("task.started", "w2", "r1", 4, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.startedAt).isEqualTo(at(2));
    assertThat(t.flags).containsExactly("started by w2 after it completed");
    assertThat(p.agent("w2").counters.tasksStarted).isZero();
  }

  @Test
  void completionByAnAgentOtherThanTheAssigneeIsAppliedAndFlagged() {
    createAssignAndStart("k1");
    apply("task.completed", "w2", "r1", 3, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.completedBy).isEqualTo("w2");
    assertThat(t.flags).containsExactly("completed by w2 but assigned to w1");
  }

  @Test
  void completionOfATaskThatNeverRanIsAppliedAndFlagged() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "assignee", "w1");
    apply("task.completed", "w1", "r1", 2, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.durationMs).isNull();
    assertThat(t.flags).containsExactly("completed while assigned");
  }

  @Test
  void progressWhileNotRunningIsFlagged() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "assignee", "w1");
    apply("task.progress", "w1", "r1", 2, "taskId", "k1", "percent", 10);

    TaskState t = task("r1", "k1");
    assertThat(t.flags).containsExactly("progress reported while assigned");
    assertThat(t.percent).isEqualTo(10.0);
    assertThat(t.state).isEqualTo("assigned");
  }

  @Test
  void anOlderProgressArrivingLaterDoesNotWin() {
    createAssignAndStart("k1");
    apply("task.progress", "w1", "r1", 6, "taskId", "k1", "percent", 60);
    apply("task.progress", "w1", "r1", 5, "taskId", "k1", "percent", 50);

    assertThat(task("r1", "k1").percent).isEqualTo(60.0);
    assertThat(task("r1", "k1").progressAt).isEqualTo(at(6));
  }

  @Test
  void aLateProgressReportLeavesACompletedTaskAt100Percent() {
    createAssignAndStart("k1");
    apply("task.progress", "w1", "r1", 3, "taskId", "k1", "percent", 50);
    apply("task.completed", "w1", "r1", 10, "taskId", "k1");
    apply("task.progress", "w1", "r1", 7, "taskId", "k1", "percent", 80);

    TaskState t = task("r1", "k1");
    assertThat(t.percent).isEqualTo(100.0);
    assertThat(t.flags).containsExactly("progress reported while completed");
  }

  @Test
  void eventsBeforeTaskCreatedMakeTheTaskAndAreFlagged() {
    apply("task.started", "w1", "r1", 2, "taskId", "k1");
    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("running");
    assertThat(t.assignee).isEqualTo("w1");
    assertThat(t.createdAt).isEqualTo(at(2));
    assertThat(t.flags).containsExactly("task.started before task.created", "started without an assignment");
    assertThat(p.run("r1").tasks.total).isEqualTo(1);
    assertThat(p.run("r1").tasks.running).isEqualTo(1);

    apply("task.progress", "w1", "r2", 3, "taskId", "k2", "percent", 5);
    assertThat(task("r2", "k2").flags)
        .containsExactly("task.progress before task.created", "progress reported while created");
  }

  @Test
  void aTaskCreatedLateKeepsItsStateButGainsTitleAndCreator() {
    apply("task.started", "w1", "r1", 2, "taskId", "k1");
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "title", "Research", "assignee", "w1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("running");
    assertThat(t.title).isEqualTo("Research");
    assertThat(t.createdBy).isEqualTo("mgr");
    assertThat(t.createdAt).isEqualTo(at(1));
    assertThat(t.assignedAt).isEqualTo(at(1));
    assertThat(t.flags).containsExactly("task.started before task.created", "started without an assignment",
        "assigned to w1 after it started");
    assertThat(p.run("r1").tasks.total).isEqualTo(1);
    assertThat(p.run("r1").tasks.running).isEqualTo(1);
    assertThat(p.agent("w1").counters.tasksAssigned).isEqualTo(1);
  }

  @Test
  void aLateAssignmentOfTheAgentAlreadyRunningTheTaskIsRecordedWithoutMovingItBack() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1");
    apply("task.started", "w1", "r1", 3, "taskId", "k1");
    apply("task.assigned", "mgr", "r1", 2, "taskId", "k1", "assignee", "w1");
    apply("task.completed", "w1", "r1", 4, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.assignedAt).isEqualTo(at(2));
    assertThat(t.flags).containsExactly("started without an assignment", "assigned to w1 after it started");
    assertThat(p.agent("w1").counters.tasksAssigned).isEqualTo(1);
    assertThat(p.run("r1").tasks.completed).isEqualTo(1);
    assertThat(p.run("r1").tasks.assigned).isZero();
  }

  @Test
  void aTaskCreatedTwiceIsFlaggedAndKeepsItsFirstTitle() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "title", "first");
    apply("task.created", "mgr2", "r1", 2, "taskId", "k1", "title", "second");

    TaskState t = task("r1", "k1");
    assertThat(t.title).isEqualTo("first");
    assertThat(t.flags).containsExactly("created again by mgr2");
    assertThat(p.run("r1").tasks.total).isEqualTo(1);
  }

  @Test
  void aTaskStartedWithoutAssignmentIsFlaggedAndItsStarterBecomesTheAssignee() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1");
    apply("task.started", "w3", "r1", 2, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.assignee).isEqualTo("w3");
    assertThat(t.flags).containsExactly("started without an assignment");
  }

  @Test
  void startingByAnAgentOtherThanTheAssigneeIsFlagged() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "assignee", "w1");
    apply("task.started", "w2", "r1", 2, "taskId", "k1");

    assertThat(task("r1", "k1").flags).containsExactly("started by w2 but assigned to w1");
    assertThat(task("r1", "k1").assignee).isEqualTo("w1");
  }

  @Test
  void startingARunningTaskAgainIsFlagged() {
    createAssignAndStart("k1");
    apply("task.started", "w1", "r1", 3, "taskId", "k1");

    assertThat(task("r1", "k1").flags).containsExactly("started again by w1");
    assertThat(task("r1", "k1").startedAt).isEqualTo(at(3));
    assertThat(p.run("r1").tasks.running).isEqualTo(1);
  }

  @Test
  void restartingAFailedTaskIsFlaggedAndClearsTheFailure() {
    createAssignAndStart("k1");
    apply("task.failed", "w1", "r1", 3, "taskId", "k1", "error", "flaky");
    apply("task.started", "w1", "r1", 4, "taskId", "k1");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("running");
    assertThat(t.error).isNull();
    assertThat(t.endedAt).isNull();
    assertThat(t.completedBy).isNull();
    assertThat(t.flags).containsExactly("started again by w1 after it failed");
    assertThat(p.run("r1").tasks.failed).isZero();
    assertThat(p.run("r1").tasks.running).isEqualTo(1);
  }

  @Test
  void reassigningARunningTaskIsFlagged() {
    createAssignAndStart("k1");
    apply("task.assigned", "mgr", "r1", 3, "taskId", "k1", "assignee", "w2");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("assigned");
    assertThat(t.assignee).isEqualTo("w2");
    assertThat(t.flags).containsExactly("reassigned from w1 to w2 while running");
  }

  @Test
  void assigningOrFailingAFinishedTaskIsFlaggedAndIgnored() {
    createAssignAndStart("k1");
    apply("task.completed", "w1", "r1", 3, "taskId", "k1");
    apply("task.assigned", "mgr", "r1", 4, "taskId", "k1", "assignee", "w2");
    apply("task.failed", "w1", "r1", 5, "taskId", "k1", "error", "late");

    TaskState t = task("r1", "k1");
    assertThat(t.state).isEqualTo("completed");
    assertThat(t.assignee).isEqualTo("w1");
    assertThat(t.error).isNull();
    assertThat(t.flags).containsExactly("assigned to w2 after it completed", "failed after it completed, by w1");
    assertThat(p.agent("w1").counters.errors).isZero();
  }

  @Test
  void tasksAreNamedWithinTheirRun() {
    apply("task.created", "mgr", "r1", 1, "taskId", "k1", "title", "one");
    apply("task.created", "mgr", "r2", 1, "taskId", "k1", "title", "two");
    apply("task.created", "mgr", null, 1, "taskId", "k1", "title", "none");

    assertThat(p.tasks()).hasSize(3);
    assertThat(task("r1", "k1").title).isEqualTo("one");
    assertThat(task("r2", "k1").title).isEqualTo("two");
    assertThat(task(null, "k1").title).isEqualTo("none");
  }

  // ---- edits ----

  @Test
  void anAgentEditWithTheCurrentVersionAppliesAndBumpsTheVersion() {
    apply("agent.registered", "w1", null, 0, "role", "worker");
    apply(Projection.AGENT_EDITED, "w1", null, 1, "displayName", "Alice", "tags", List.of("a", "b"),
        "notes", "n", "expectedVersion", 0);

    AgentState a = p.agent("w1");
    assertThat(a.displayName).isEqualTo("Alice");
    assertThat(a.tags).containsExactly("a", "b");
    assertThat(a.notes).isEqualTo("n");
    assertThat(a.version).isEqualTo(1);
    assertThat(a.counters.events).isEqualTo(1);
    assertThat(a.lastSeen).isEqualTo(at(0));
  }

  @Test
  void anAgentEditWithAStaleVersionChangesNothing() {
    apply("agent.registered", "w1", null, 0, "role", "worker");
    apply(Projection.AGENT_EDITED, "w1", null, 1, "displayName", "Alice", "expectedVersion", 0);
    apply(Projection.AGENT_EDITED, "w1", null, 2, "displayName", "Bob", "expectedVersion", 0);

    assertThat(p.agent("w1").displayName).isEqualTo("Alice");
    assertThat(p.agent("w1").version).isEqualTo(1);
    assertThat(p.events()).isEqualTo(3);
  }

  @Test
  void anEditChangesOnlyTheFieldsItNamesAndNullClearsOne() {
    apply("agent.registered", "w1", null, 0, "role", "worker");
    apply(Projection.AGENT_EDITED, "w1", null, 1, "displayName", "Alice", "notes", "keep", "expectedVersion", 0);
    apply(Projection.AGENT_EDITED, "w1", null, 2, "displayName", null, "expectedVersion", 1);

    assertThat(p.agent("w1").displayName).isNull();
    assertThat(p.agent("w1").notes).isEqualTo("keep");
    assertThat(p.agent("w1").version).isEqualTo(2);
  }

  @Test
  void anEditOfAnUnknownAgentOrRunIsIgnored() {
    apply(Projection.AGENT_EDITED, "ghost", null, 1, "displayName", "x", "expectedVersion", 0);
    apply(Projection.RUN_EDITED, "agentwatch-api", "nope", 1, "title", "x", "expectedVersion", 0);

    assertThat(p.agent("ghost")).isNull();
    assertThat(p.agent("agentwatch-api")).isNull();
    assertThat(p.run("nope")).isNull();
    assertThat(p.events()).isEqualTo(2);
  }

  @Test
  void aRunEditWithTheCurrentVersionAppliesAndAStaleOneDoesNot() {
    apply("log", "mgr", "r1", 0, "level", "info", "message", "x");
    apply(Projection.RUN_EDITED, "agentwatch-api", "r1", 1, "title", "Quarterly report", "labels", List.of("q4"),
        "expectedVersion", 0);
    apply(Projection.RUN_EDITED, "agentwatch-api", "r1", 2, "title", "stale", "expectedVersion", 0);

    RunState r = p.run("r1");
    assertThat(r.title).isEqualTo("Quarterly report");
    assertThat(r.labels).containsExactly("q4");
    assertThat(r.version).isEqualTo(1);
    assertThat(r.totals.events).isEqualTo(1);
    assertThat(p.agent("agentwatch-api")).isNull();
  }

  // ---- stored forms ----

  /** Everything the projection knows, including odd transitions, edits and skewed times. */
  private void applyARichHistory() {
    apply("agent.registered", "mgr", "r1", 0, "role", "manager", "capabilities", List.of("plan"));
    apply("agent.registered", "w1", "r1", 0.5, "role", "worker");
    apply("agent.heartbeat", "w1", null, 1, "cpu", 0.25, "memoryMb", 100);
    apply("agent.status", "w1", null, 1.1, "status", "busy");
    apply("task.created", "mgr", "r1", 1.2, "taskId", "k1", "title", "a", "assignee", "w1");
    apply("task.started", "w1", "r1", 1.3, "taskId", "k1");
    apply("task.progress", "w1", "r1", 1.4, "taskId", "k1", "percent", 33.3);
    apply("task.created", "mgr", "r1", 1.5, "taskId", "k2", "parentTaskId", "k1");
    apply("task.failed", "w2", "r1", 1.45, "taskId", "k2", "error", "nope");
    apply("message.sent", "mgr", "r1", 1.6, "to", "w1", "content", "hi");
    apply("llm.call", "w1", "r1", 1.7, "model", "m", "inputTokens", 10, "outputTokens", 2, "costUsd", 0.1);
    apply("llm.call", "w1", "r1", 1.8, "model", "m", "inputTokens", 10, "outputTokens", 2, "costUsd", 0.2);
    apply("tool.called", "w1", "r1", 1.9, "tool", "t");
    apply("task.completed", "w1", "r1", 2.000000001, "taskId", "k1");
    apply("task.completed", "w1", "r1", 2.1, "taskId", "k1");
    apply(Projection.AGENT_EDITED, "w1", null, 3, "displayName", "W", "tags", List.of("x"), "expectedVersion", 0);
    apply(Projection.RUN_EDITED, "agentwatch-api", "r1", 3, "title", "T", "expectedVersion", 0);
    apply("run.completed", "mgr", "r1", 4);
    apply("log", "w3", null, 5, "level", "info", "message", "elsewhere");
  }

  /** More events after a restore, so that ordering inside restored rows shows in the comparison. */
  private List<Event> laterEvents() {
    return List.of(
        event("agent.registered", "a0", "r1", 6, "role", "late-joiner"),
        event("message.sent", "a0", "r1", 6.5, "to", "w1", "content", "x"),
        event("task.created", "mgr", "r1", 7, "taskId", "k3", "assignee", "a0"),
        event("agent.heartbeat", "w1", null, 0.5, "cpu", 0.99));
  }

  @Test
  void rowsRestoredIntoAnEmptyProjectionGiveTheSameStateAndItStaysTheSame() {
    applyARichHistory();
    Projection restored = new Projection();
    for (Object changed : p.drainChanged()) {
      restored.restore(Projection.row("t1", changed));
    }
    assertThat(restored.toJson()).isEqualTo(p.toJson());

    for (Event e : laterEvents()) {
      p.apply(e);
      restored.apply(e);
    }
    assertThat(restored.toJson()).isEqualTo(p.toJson());
  }

  @Test
  void everyRowIsChangedOnceAndDrainedRowsAreNotChangedAgain() {
    applyARichHistory();
    List<ProjectionStore.Row> rows = p.drainChanged().stream().map(o -> Projection.row("t1", o)).toList();
    assertThat(rows).extracting(ProjectionStore.Row::kind).containsOnly(ProjectionStore.Kind.values());
    assertThat(rows).hasSize(p.size() + 1);
    assertThat(p.drainChanged()).isEmpty();

    apply("agent.heartbeat", "w1", null, 9, "cpu", 0.3);
    assertThat(p.drainChanged().stream().map(o -> Projection.row("t1", o)))
        .extracting(r -> r.kind() + ":" + r.key())
        .containsExactlyInAnyOrder("AGENT:w1", "TENANT:");
  }

  @Test
  void fromJsonOfToJsonGivesTheSameStateAndItStaysTheSame() {
    applyARichHistory();
    Projection copy = Projection.fromJson(p.toJson());
    assertThat(copy.toJson()).isEqualTo(p.toJson());
    assertThat(copy.events()).isEqualTo(applied.size());

    for (Event e : laterEvents()) {
      p.apply(e);
      copy.apply(e);
    }
    assertThat(copy.toJson()).isEqualTo(p.toJson());
  }

  @Test
  void theSameEventsInTheSameOrderGiveTheSameState() {
    applyARichHistory();
    Projection again = new Projection();
    applied.forEach(again::apply);

    assertThat(again.toJson()).isEqualTo(p.toJson());
  }
}
