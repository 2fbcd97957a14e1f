package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.AgentRegistry;
import io.agentwatch.analytics.facts.TaskTracker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code resource_hoarding}: within a run, one agent holds at least {@code minOpenTasks} open
 * (assigned or running) tasks while at least {@code minIdlePeers} other agents of the run that
 * have held tasks before hold none (and are neither quarantined nor offline), and this lasts for
 * {@code holdFor}. Resolved when the agent holds fewer or no peer is idle any more, or when the
 * run ends (its open tasks are then abandoned, and held by nobody).
 */
public final class ResourceHoardingDetector implements Detector {

  public static final String NAME = "resource_hoarding";

  public record Config(int minOpenTasks, int minIdlePeers, Duration holdFor) {

    public static final Config DEFAULTS = new Config(5, 1, Duration.ofSeconds(30));

    public Config {
      Words.atLeast("resource_hoarding.minOpenTasks", minOpenTasks, 2);
      Words.atLeast("resource_hoarding.minIdlePeers", minIdlePeers, 1);
      Words.positive("resource_hoarding.holdFor", holdFor);
    }
  }

  private record Holder(String runKey, String agent) {}

  private record Armed(String cause, Instant due) {}

  private static final class Run {
    /** Per agent, the tasks it holds open with the event that gave each to it. */
    final Map<String, LinkedHashMap<String, String>> held = new HashMap<>();
    /** Agents that held a task of this run at some point: the ones that could take work. */
    final Set<String> peers = new LinkedHashSet<>();
    /** Agents holding at least minOpenTasks. */
    final Set<String> candidates = new TreeSet<>();
  }

  private final Config config;
  private final AgentRegistry agents;
  private final Map<String, Run> runs = new HashMap<>();
  private final Deadlines<Holder> deadlines = new Deadlines<>();
  private final Map<Holder, Armed> armed = new HashMap<>();

  public ResourceHoardingDetector(Config config, AgentRegistry agents) {
    this.config = config;
    this.agents = agents;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    TaskTracker.Change change = o.task();
    if (change == null || !change.holderChanged() || o.runOver()) {
      return;
    }
    String runKey = change.key().runId();
    Run run = runs.computeIfAbsent(runKey, k -> new Run());
    String was = change.before() == null ? null : change.before().holder();
    String now = change.after().holder();
    if (was != null) {
      Map<String, String> tasks = run.held.get(was);
      if (tasks != null) {
        tasks.remove(change.key().taskId());
      }
      updateCandidate(run, was);
    }
    if (now != null) {
      run.peers.add(now);
      run.held.computeIfAbsent(now, k -> new LinkedHashMap<>()).put(change.key().taskId(),
          change.after().assignEventId() != null ? change.after().assignEventId() : o.event().id());
      updateCandidate(run, now);
    }
    Set<String> affected = new TreeSet<>(run.candidates);
    if (was != null) {
      affected.add(was);
    }
    if (now != null) {
      affected.add(now);
    }
    for (String agent : affected) {
      evaluate(run, new Holder(runKey, agent), o.event().id(), o.event().ts(), signals);
    }
  }

  private void updateCandidate(Run run, String agent) {
    if (held(run, agent) >= config.minOpenTasks()) {
      run.candidates.add(agent);
    } else {
      run.candidates.remove(agent);
    }
  }

  private void evaluate(Run run, Holder h, String eventId, Instant ts, Signals signals) {
    int held = held(run, h.agent());
    // Peers are counted only for agents that hold enough: most task events concern agents that do not.
    List<String> idle = held >= config.minOpenTasks() ? idlePeers(run, h.agent()) : List.of();
    if (held >= config.minOpenTasks() && idle.size() >= config.minIdlePeers()) {
      if (!deadlines.isSet(h) && !signals.isOpen(NAME, alertKey(h))) {
        Instant due = ts.plus(config.holdFor());
        deadlines.set(h, due);
        armed.put(h, new Armed(eventId, due));
      }
      return;
    }
    deadlines.cancel(h);
    armed.remove(h);
    String reason = held < config.minOpenTasks()
        ? h.agent() + " now holds " + held + " open task" + (held == 1 ? "" : "s")
        : "no other agent of the run is idle any more";
    signals.resolve(NAME, alertKey(h), reason, List.of(eventId), ts);
  }

  @Override
  public void runEnded(RunEnd end, Signals signals) {
    Run run = runs.remove(end.runKey());
    if (run == null) {
      return;
    }
    for (String agent : new TreeSet<>(run.held.keySet())) {
      Holder h = new Holder(end.runKey(), agent);
      deadlines.cancel(h);
      armed.remove(h);
      signals.resolve(NAME, alertKey(h), "run " + end.runKey() + " " + end.verb() + ": its open tasks are abandoned",
          List.of(end.event().id()), end.event().ts());
    }
  }

  @Override
  public void advance(Instant now, Signals signals) {
    for (Deadlines.Due<Holder> due : deadlines.due(now)) {
      Holder h = due.key();
      Armed a = armed.remove(h);
      Run run = runs.get(h.runKey());
      int held = held(run, h.agent());
      List<String> idle = idlePeers(run, h.agent());
      if (held < config.minOpenTasks() || idle.size() < config.minIdlePeers()) {
        continue;
      }
      List<String> involved = new ArrayList<>();
      involved.add(h.agent());
      involved.addAll(idle.subList(0, Math.min(idle.size(), 10)));
      String message = h.agent() + " has held " + held + " open tasks of " + Words.run(h.runKey()) + " for "
          + Words.duration(config.holdFor()) + " while " + idle.size() + " other agent"
          + (idle.size() == 1 ? "" : "s") + " of the run (" + Words.list(idle, 5) + ") held none.";
      signals.raise(new AlertDraft(NAME, alertKey(h), a.cause(), Severity.WARNING,
          h.runKey().isEmpty() ? null : h.runKey(), involved, List.copyOf(run.held.get(h.agent()).values()),
          message, a.due()));
    }
  }

  private static int held(Run run, String agent) {
    Map<String, String> tasks = run.held.get(agent);
    return tasks == null ? 0 : tasks.size();
  }

  private List<String> idlePeers(Run run, String holder) {
    List<String> idle = new ArrayList<>();
    for (String peer : run.peers) {
      if (!peer.equals(holder) && held(run, peer) == 0 && !agents.isQuarantined(peer) && !agents.isOffline(peer)) {
        idle.add(peer);
      }
    }
    return idle;
  }

  private static String alertKey(Holder h) {
    return h.runKey() + '|' + h.agent();
  }
}
