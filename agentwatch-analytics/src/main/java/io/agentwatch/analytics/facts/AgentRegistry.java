package io.agentwatch.analytics.facts;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventValidator;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the analytics knows about each agent of a tenant: role, reported status, whether it is
 * quarantined or offline, its last run. Fed every non-alert event in log order. Not thread-safe.
 *
 * <p>An agent is quarantined while its latest {@code agent.status} says so, or when a
 * {@code command.issued} of type {@code quarantine} is for it (the event's agent, or the one its
 * {@code data.agentId} or {@code target} names) and no later status of the agent replaced it; a
 * {@code resume} command lifts a quarantine the same way.
 *
 * <p>An agent that announced {@code offline} is back as soon as it does anything later (in
 * producer time): agent ids are reused across runs, and an agent that signed off at the end of
 * one run registers, heartbeats and takes tasks in the next. It is then {@code idle} until it
 * reports a status of its own.
 */
public final class AgentRegistry {

  /** The event type of commands recorded by the API; they name their agent rather than come from it. */
  public static final String COMMAND_ISSUED = "command.issued";
  /** The status of an agent that is active again after it announced {@code offline}. */
  public static final String BACK = "idle";

  /** One agent's facts; read-only outside this package. */
  public static final class Agent {
    final String id;
    String role;
    String status;
    Instant statusAt;
    boolean quarantined;
    String lastRunId;

    Agent(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public String role() {
      return role;
    }

    public String status() {
      return status;
    }

    public boolean quarantined() {
      return quarantined;
    }

    public boolean offline() {
      return "offline".equals(status);
    }

    public String lastRunId() {
      return lastRunId;
    }
  }

  private final Map<String, Agent> agents = new HashMap<>();

  public void apply(Event e) {
    if (e.type().equals(COMMAND_ISSUED)) {
      applyCommand(e);
      return;
    }
    Agent agent = agents.computeIfAbsent(e.agentId(), Agent::new);
    if (e.runId() != null) {
      agent.lastRunId = e.runId();
    }
    if (agent.offline() && !e.type().equals("agent.status") && !EventValidator.writtenByServer(e.type())
        && e.ts().isAfter(agent.statusAt)) {
      agent.status = BACK;
      agent.statusAt = e.ts();
    }
    switch (e.type()) {
      case "agent.registered" -> agent.role = EventFacts.text(e.data(), "role");
      case "agent.status" -> {
        if (agent.statusAt == null || !e.ts().isBefore(agent.statusAt)) {
          agent.status = EventFacts.text(e.data(), "status");
          agent.statusAt = e.ts();
          agent.quarantined = "quarantined".equals(agent.status);
        }
      }
      default -> { }
    }
  }

  private void applyCommand(Event e) {
    String type = EventFacts.text(e.data(), "type");
    if (type == null) {
      return;
    }
    // The API records a command under the agent it is for; data.agentId or target name it otherwise.
    String named = EventFacts.text(e.data(), "agentId");
    String target = named != null ? named : e.target() != null ? e.target() : e.agentId();
    Agent agent = agents.computeIfAbsent(target, Agent::new);
    if (type.equals("quarantine")) {
      agent.quarantined = true;
    } else if (type.equals("resume")) {
      agent.quarantined = false;
    }
  }

  /** The agent, or null when no event came from or named it. */
  public Agent get(String agentId) {
    return agents.get(agentId);
  }

  public boolean isQuarantined(String agentId) {
    Agent a = agents.get(agentId);
    return a != null && a.quarantined;
  }

  public boolean isOffline(String agentId) {
    Agent a = agents.get(agentId);
    return a != null && a.offline();
  }
}
