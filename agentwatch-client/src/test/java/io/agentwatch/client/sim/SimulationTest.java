package io.agentwatch.client.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.ScriptedSocketServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Simulated agents obey commands: pause, resume, cancel, quarantine. */
class SimulationTest {

  private ScriptedSocketServer server;
  private Simulation simulation;

  @BeforeEach
  void start() throws Exception {
    server = ScriptedSocketServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (simulation != null) {
      simulation.stop(Duration.ZERO);
    }
    server.close();
  }

  private void simulate(Team team) {
    simulate(team, 0.05);
  }

  private void simulate(Team team, double pace) {
    simulation = Simulation.start(new Simulation.Options(List.of(team), "test", pace, 0, 42),
        agent -> AgentwatchClient.builder(server.httpUri()).backoff(Duration.ofMillis(10), Duration.ofMillis(100)));
  }

  private void command(String agent, String id, String type, String taskId) throws Exception {
    server.await(agent + " connected", () -> server.helloFrom(agent));
    Map<String, String> command = taskId == null ? Map.of("id", id, "type", type)
        : Map.of("id", id, "type", type, "taskId", taskId);
    server.sendTo(agent, Map.of("op", "command", "command", command));
  }

  private JsonNode awaitEvent(String what, Predicate<JsonNode> match) throws Exception {
    server.await(what, () -> server.events().stream().anyMatch(match));
    return server.events().stream().filter(match).findFirst().orElseThrow();
  }

  private static Predicate<JsonNode> is(String agent, String type) {
    return e -> agent.equals(e.path("agentId").asString()) && type.equals(e.path("type").asString());
  }

  private static Predicate<JsonNode> ackOf(String commandId) {
    return e -> "command.acknowledged".equals(e.path("type").asString())
        && commandId.equals(e.path("parentId").asString());
  }

  /** The events that arrived from index {@code from} on, as a snapshot. */
  private List<JsonNode> since(int from) {
    List<JsonNode> all = List.copyOf(server.events());
    return all.subList(Math.min(from, all.size()), all.size());
  }

  private int indexOf(JsonNode event) {
    return server.events().indexOf(event);
  }

  @Test
  void signingOffAgentsGoOfflineAtTheEndOfARunAndRegisterAgainForTheNext() throws Exception {
    simulation = Simulation.start(new Simulation.Options(List.of(new Team("m", List.of("w1"))), "test", 0.01, 0, 42,
        true), agent -> AgentwatchClient.builder(server.httpUri()).backoff(Duration.ofMillis(10), Duration.ofMillis(100)));
    Predicate<JsonNode> offline = e -> is("w1", "agent.status").test(e)
        && "offline".equals(e.path("data").path("status").asString());
    JsonNode signedOff = awaitEvent("w1 signs off after the first run", offline);
    JsonNode back = awaitEvent("w1 registers again for the next run",
        e -> is("w1", "agent.registered").test(e) && indexOf(e) > indexOf(signedOff));
    // Agents send on connections of their own: compare runs, not arrival order across agents.
    String endedRun = signedOff.path("runId").asString();
    JsonNode runEnd = awaitEvent("the manager ends that run", e -> is("m", "run.completed").test(e)
        && endedRun.equals(e.path("runId").asString()));
    assertThat(server.events().stream().filter(e -> is("m", "agent.status").test(e)
        && "offline".equals(e.path("data").path("status").asString()))).as("the manager signs off too").isNotEmpty();
    String nextRun = back.path("runId").asString();
    assertThat(nextRun).isNotEqualTo(runEnd.path("runId").asString());
  }

  @Test
  void aPausedWorkerOnlyHeartbeatsUntilResumed() throws Exception {
    simulate(new Team("m", List.of("w1")));
    awaitEvent("w1 starts a task", is("w1", "task.started"));

    command("w1", "c-pause", "pause", null);
    JsonNode ack = awaitEvent("pause acknowledged", ackOf("c-pause"));
    assertThat(ack.path("data").path("outcome").asString()).isEqualTo("applied");
    JsonNode paused = server.events().stream()
        .filter(e -> is("w1", "agent.status").test(e) && "paused".equals(e.path("data").path("status").asString()))
        .findFirst().orElseThrow();
    assertThat(indexOf(paused)).as("the status changed before the ack").isLessThan(indexOf(ack));

    Thread.sleep(2_500);
    int resumeAt = server.events().size();
    List<String> whilePaused = List.copyOf(server.events()).subList(indexOf(ack), resumeAt).stream()
        .filter(e -> "w1".equals(e.path("agentId").asString())).map(e -> e.path("type").asString()).toList();
    assertThat(whilePaused).as("only heartbeats while paused").containsOnly("command.acknowledged", "agent.heartbeat")
        .contains("agent.heartbeat");

    command("w1", "c-resume", "resume", null);
    assertThat(awaitEvent("resume acknowledged", ackOf("c-resume")).path("data").path("outcome").asString())
        .isEqualTo("applied");
    server.await("work goes on", () -> since(resumeAt).stream()
        .anyMatch(e -> is("w1", "task.progress").test(e) || is("w1", "task.completed").test(e)));
  }

  @Test
  void cancelFailsTheCurrentTaskWithCancelled() throws Exception {
    simulate(new Team("m", List.of("w1")), 1.0);
    JsonNode started = awaitEvent("w1 starts a task", is("w1", "task.started"));
    command("w1", "c-wrong", "cancel", "no-such-task");
    assertThat(awaitEvent("wrong task refused", ackOf("c-wrong")).path("data").path("outcome").asString())
        .isEqualTo("rejected");

    // A task may end on its own before the command arrives; then the next one is cancelled.
    for (int attempt = 0; attempt < 5; attempt++) {
      String taskId = started.path("data").path("taskId").asString();
      command("w1", "c-cancel-" + attempt, "cancel", taskId);
      JsonNode ack = awaitEvent("cancel answered", ackOf("c-cancel-" + attempt));
      if ("applied".equals(ack.path("data").path("outcome").asString())) {
        JsonNode failed = awaitEvent("the task fails", e -> is("w1", "task.failed").test(e)
            && taskId.equals(e.path("data").path("taskId").asString()));
        assertThat(failed.path("data").path("error").asString()).isEqualTo("cancelled");
        return;
      }
      int after = indexOf(ack);
      started = awaitEvent("the next task", e -> is("w1", "task.started").test(e) && indexOf(e) > after);
    }
    throw new AssertionError("no task could be cancelled while in progress in 5 attempts");
  }

  @Test
  void aManagerStopsAssigningToAQuarantinedWorker() throws Exception {
    simulate(new Team("m", List.of("w1", "w2")));
    awaitEvent("a first assignment", is("m", "task.assigned"));

    command("w1", "c-q", "quarantine", null);
    JsonNode ack = awaitEvent("quarantine acknowledged", ackOf("c-q"));
    assertThat(ack.path("data").path("outcome").asString()).isEqualTo("applied");
    awaitEvent("status quarantined", e -> is("w1", "agent.status").test(e)
        && "quarantined".equals(e.path("data").path("status").asString()));
    int from = indexOf(ack);

    server.await("five more assignments", () -> since(from).stream()
        .filter(is("m", "task.assigned")).count() >= 5);
    // The manager may have picked w1 just before the quarantine took effect: one assignment may be in flight.
    assertThat(since(from).stream().filter(is("m", "task.assigned"))
        .skip(1).map(e -> e.path("data").path("assignee").asString())).containsOnly("w2");
  }

  @Test
  void aManagerRejectsCancelAndUnknownCommands() throws Exception {
    simulate(new Team("m", List.of("w1")));
    command("m", "c-1", "cancel", null);
    command("m", "c-2", "self-destruct", null);
    assertThat(awaitEvent("cancel answered", ackOf("c-1")).path("data").path("outcome").asString())
        .isEqualTo("rejected");
    assertThat(awaitEvent("unknown answered", ackOf("c-2")).path("data").path("reason").asString())
        .contains("unknown command type");
  }
}
