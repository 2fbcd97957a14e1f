package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.AgentRegistry;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code lost_agent}: an agent that sends heartbeats missed {@code missedBeats} of them in a row
 * (no heartbeat for missedBeats × expectedInterval). Agents that never sent a heartbeat are not
 * watched; an agent that announces {@code agent.status offline} is no longer watched. Resolved by
 * any later event of the agent. Findings belong to the tenant, not to a run (an agent outlives its
 * runs), so agents lost together are one alert; the agent's last run is in the finding's facts.
 */
public final class LostAgentDetector implements Detector {

  public static final String NAME = "lost_agent";

  /**
   * @param expectedInterval how often agents send {@code agent.heartbeat}
   * @param missedBeats      how many may be missed in a row before the agent counts as lost
   */
  public record Config(Duration expectedInterval, int missedBeats) {

    public static final Config DEFAULTS = new Config(Duration.ofSeconds(30), 3);

    public Config {
      Words.positive("lost_agent.expectedInterval", expectedInterval);
      Words.atLeast("lost_agent.missedBeats", missedBeats, 1);
    }

    Duration silence() {
      return expectedInterval.multipliedBy(missedBeats);
    }
  }

  private record Beat(String eventId, Instant at) {}

  private final Config config;
  private final Deadlines<String> deadlines = new Deadlines<>();
  private final Map<String, Beat> lastBeat = new HashMap<>();
  private final AgentRegistry agents;

  public LostAgentDetector(Config config, AgentRegistry agents) {
    this.config = config;
    this.agents = agents;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    Event e = o.event();
    String agent = e.agentId();
    if (e.type().equals("agent.status") && agents.isOffline(agent)) {
      deadlines.cancel(agent);
      lastBeat.remove(agent);
      signals.resolve(NAME, agent, agent + " announced that it went offline", List.of(e.id()), e.ts());
      return;
    }
    if (!lastBeat.containsKey(agent) && !e.type().equals("agent.heartbeat")) {
      return;
    }
    signals.resolve(NAME, agent, agent + " is back: it sent " + e.type() + " at " + e.ts(), List.of(e.id()), e.ts());
    if (e.type().equals("agent.heartbeat")) {
      Beat previous = lastBeat.get(agent);
      if (previous == null || !e.ts().isBefore(previous.at())) {
        lastBeat.put(agent, new Beat(e.id(), e.ts()));
        deadlines.set(agent, e.ts().plus(config.silence()));
      }
    }
  }

  @Override
  public void advance(Instant now, Signals signals) {
    for (Deadlines.Due<String> due : deadlines.due(now)) {
      String agent = due.key();
      Beat beat = lastBeat.get(agent);
      AgentRegistry.Agent facts = agents.get(agent);
      String runId = facts == null ? null : facts.lastRunId();
      String message = agent + " has sent no heartbeat for " + Words.duration(config.silence()) + " ("
          + config.missedBeats() + " × the expected " + Words.duration(config.expectedInterval())
          + "); its last heartbeat was at " + beat.at() + (runId == null ? "" : ", in run " + runId) + ".";
      // An agent outlives its runs, and agents lost together (a shutdown, a partition) are one cause:
      // the finding is the tenant's, so they group into one alert; the last run is in its facts.
      signals.raise(new AlertDraft(NAME, agent, beat.eventId(), Severity.CRITICAL, null, List.of(agent),
          List.of(beat.eventId()), message, beat.at().plus(config.silence()), agent,
          runId == null ? null : EventCodec.JSON.createObjectNode().put("lastRunId", runId)));
    }
  }
}
