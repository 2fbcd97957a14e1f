package io.agentwatch.client.sim;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.ClientStats;
import io.agentwatch.client.EventDraft;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Simulated multi-agent traffic through the SDK: teams of a manager that opens runs and delegates
 * tasks and workers that carry them out with tool and model calls, each agent with a client of its
 * own (and so its own connection, {@code hello} and commands). Used by {@code agentwatch simulate}
 * and by the server's demo agents.
 */
public final class Simulation implements AutoCloseable {

  /**
   * How a simulation runs.
   *
   * @param teams     the teams of agents
   * @param runPrefix the start of every run id, e.g. {@code demo}
   * @param pace      think time as a share of a human-watchable pace: 1 = the demo's, 0 = none
   * @param rate      events per second of all agents together at most; 0 = no limit
   * @param seed      the seed of every agent's random choices
   * @param signOff   whether agents announce {@code agent.status offline} at the end of each run (the
   *                  manager at once, each worker once it has done its tasks of the run) and register
   *                  again when they next work, as agents that live only for a run do
   */
  public record Options(List<Team> teams, String runPrefix, double pace, double rate, long seed, boolean signOff) {

    public Options(List<Team> teams, String runPrefix, double pace, double rate, long seed) {
      this(teams, runPrefix, pace, rate, seed, false);
    }


    public Options {
      teams = List.copyOf(teams);
      if (teams.isEmpty()) {
        throw new IllegalArgumentException("a simulation needs at least one team");
      }
      if (pace < 0 || Double.isNaN(pace)) {
        throw new IllegalArgumentException("pace must be >= 0 but was " + pace);
      }
      if (rate < 0 || Double.isNaN(rate)) {
        throw new IllegalArgumentException("rate must be >= 0 but was " + rate);
      }
    }
  }

  private final List<SimAgent> agents = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Map<String, AgentwatchClient> clients = new LinkedHashMap<>();

  private Simulation() {}

  /**
   * Builds a client per agent from {@code clientFor} (given the agent id; the simulation adds the
   * agent id and the command handler) and starts every agent on a virtual thread of its own.
   */
  public static Simulation start(Options options, Function<String, AgentwatchClient.Builder> clientFor) {
    Simulation sim = new Simulation();
    Throttle throttle = new Throttle(options.rate());
    for (int t = 0; t < options.teams().size(); t++) {
      Team team = options.teams().get(t);
      // Run ids are <prefix>-run-<time>; with several teams the team number keeps managers apart.
      String runPrefix = options.teams().size() == 1 ? options.runPrefix() : options.runPrefix() + "-" + (t + 1);
      sim.agents.add(new Manager(team, runPrefix, options.seed(), options.pace(), throttle, options.signOff()));
      for (String w : team.workers()) {
        sim.agents.add(new Worker(w, team, options.seed(), options.pace(), throttle));
      }
    }
    for (SimAgent agent : sim.agents) {
      AgentwatchClient client = clientFor.apply(agent.id).agentId(agent.id).onCommand(agent::onCommand).build();
      agent.client = client;
      sim.clients.put(agent.id, client);
      client.start();
    }
    for (SimAgent agent : sim.agents) {
      sim.threads.add(Thread.ofVirtual().name("sim-" + agent.id).start(agent));
    }
    return sim;
  }

  /** Each agent's client counters, by agent id. */
  public Map<String, ClientStats> stats() {
    Map<String, ClientStats> stats = new LinkedHashMap<>();
    clients.forEach((id, c) -> stats.put(id, c.stats()));
    return stats;
  }

  /**
   * Stops every agent, has each announce {@code agent.status offline}, then closes their clients,
   * each sending what it still buffers for up to {@code flushTimeout}.
   *
   * @return whether every client sent everything
   */
  public boolean stop(Duration flushTimeout) {
    agents.forEach(a -> a.running = false);
    threads.forEach(Thread::interrupt);
    for (Thread t : threads) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Agents that stop for good say so, as agents shutting down gracefully do: nobody should look for them.
    for (AgentwatchClient c : clients.values()) {
      c.emit(EventDraft.of("agent.status", Map.of("status", "offline")));
    }
    boolean all = true;
    for (AgentwatchClient c : clients.values()) {
      all &= c.close(flushTimeout);
    }
    return all;
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(5));
  }
}
