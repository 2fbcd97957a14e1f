package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.analytics.graph.GraphAnalysis;
import io.agentwatch.analytics.graph.Interaction;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jgrapht.GraphPath;
import org.jgrapht.alg.shortestpath.BFSShortestPath;
import org.jgrapht.graph.DefaultEdge;
import org.jgrapht.graph.SimpleDirectedGraph;

/**
 * {@code routing_loop}: work passed around a cycle of agents (delegations and messages) without
 * anyone making task progress. A hand-off from one agent to another is "hot" while it happened at
 * least {@code minRounds} times within {@code window}; a loop is a cycle of at most
 * {@code maxCycleLength} hot hand-offs in one run, found with a JGraphT breadth-first search when
 * a hand-off closes it, without progress within the window.
 *
 * <p>What counts as progress depends on what the hand-offs name. A task that the cycle's hand-offs
 * name ({@code data.taskId} of a delegation or message) at least {@code minRounds} times within the
 * window is being passed around: the loop is about it, and only a {@code task.progress} or
 * {@code task.completed} of such a task counts, whoever reports it, so an agent of the ring working
 * on some other task does not hide a loop on this one. When no task goes round like that (each
 * hand-off a different piece of work, as a manager delegating and hearing back), any progress or
 * completion reported by an agent of the cycle counts. Resolved when
 * such progress comes, or one of the cycle's hand-offs cools down.
 */
public final class RoutingLoopDetector implements Detector {

  public static final String NAME = "routing_loop";

  public record Config(Duration window, int minRounds, int maxCycleLength) {

    public static final Config DEFAULTS = new Config(Duration.ofMinutes(2), 3, 6);

    public Config {
      Words.positive("routing_loop.window", window);
      Words.atLeast("routing_loop.minRounds", minRounds, 2);
      Words.atLeast("routing_loop.maxCycleLength", maxCycleLength, 2);
    }
  }

  private record Pair(String from, String to) {}

  /** @param taskId the task the hand-off names, or null */
  private record Use(Instant ts, String eventId, String taskId) {}

  /** An open loop: its cycle and the tasks its hand-offs named (empty: progress of any of its agents counts). */
  private record Loop(List<String> cycle, Set<String> tasks) {}

  private record HandOff(String runKey, Pair pair) {}

  private static final class Run {
    final Map<Pair, ArrayDeque<Use>> uses = new HashMap<>();
    final SimpleDirectedGraph<String, DefaultEdge> hot = new SimpleDirectedGraph<>(DefaultEdge.class);
    final Map<String, Instant> lastProgress = new HashMap<>();
    final Map<String, Instant> lastTaskProgress = new HashMap<>();
    /** Open loops by alert key. */
    final Map<String, Loop> open = new LinkedHashMap<>();
  }

  private final Config config;
  private final Map<String, Run> runs = new HashMap<>();
  private final Deadlines<HandOff> cooling = new Deadlines<>();
  private Instant clock;

  public RoutingLoopDetector(Config config) {
    this.config = config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    Event e = o.event();
    clock = clock == null || e.ts().isAfter(clock) ? e.ts() : clock;
    String runKey = o.runKey();
    if (e.type().equals("task.progress") || e.type().equals("task.completed")) {
      Run run = runs.get(runKey);
      if (run != null) {
        progressed(run, e, signals);
      }
    }
    for (Interaction i : o.interactions()) {
      if (i.passesWork()) {
        String taskId = i.eventId().equals(e.id()) ? EventFacts.text(e.data(), "taskId") : null;
        handOff(runKey, runs.computeIfAbsent(runKey, k -> new Run()), i, taskId, signals);
      }
    }
  }

  private void progressed(Run run, Event e, Signals signals) {
    run.lastProgress.merge(e.agentId(), e.ts(), (a, b) -> a.isAfter(b) ? a : b);
    String taskId = EventFacts.text(e.data(), "taskId");
    if (taskId != null) {
      run.lastTaskProgress.merge(taskId, e.ts(), (a, b) -> a.isAfter(b) ? a : b);
    }
    for (Iterator<Map.Entry<String, Loop>> it = run.open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Loop> entry = it.next();
      Loop loop = entry.getValue();
      boolean ends = loop.tasks().isEmpty() ? loop.cycle().contains(e.agentId()) : loop.tasks().contains(taskId);
      if (ends) {
        it.remove();
        String reason = loop.tasks().isEmpty() ? e.agentId() + " made task progress (" + e.type() + ")"
            : e.agentId() + " made progress on " + taskId + " (" + e.type() + ")";
        signals.resolve(NAME, entry.getKey(), reason, List.of(e.id()), e.ts());
      }
    }
  }

  private void handOff(String runKey, Run run, Interaction i, String taskId, Signals signals) {
    Pair pair = new Pair(i.from(), i.to());
    ArrayDeque<Use> uses = run.uses.computeIfAbsent(pair, k -> new ArrayDeque<>());
    uses.addLast(new Use(i.ts(), i.eventId(), taskId));
    evict(uses, clock);
    if (uses.size() < config.minRounds()) {
      return;
    }
    run.hot.addVertex(pair.from());
    run.hot.addVertex(pair.to());
    run.hot.addEdge(pair.from(), pair.to());
    cooling.set(new HandOff(runKey, pair), uses.peekFirst().ts().plus(config.window()));
    GraphPath<String, DefaultEdge> back = BFSShortestPath.findPathBetween(run.hot, pair.to(), pair.from());
    if (back == null || back.getVertexList().size() > config.maxCycleLength()) {
      return;
    }
    List<String> cycle = GraphAnalysis.canonical(back.getVertexList());
    String key = runKey + '|' + String.join(">", cycle);
    if (signals.isOpen(NAME, key)) {
      return;
    }
    Set<String> tasks = tasksOf(run, cycle);
    if (tasks.isEmpty() ? cycle.stream().anyMatch(a -> progressedRecently(run.lastProgress.get(a)))
        : tasks.stream().anyMatch(t -> progressedRecently(run.lastTaskProgress.get(t)))) {
      return;
    }
    List<String> evidence = new ArrayList<>();
    for (int k = 0; k < cycle.size(); k++) {
      Pair hop = new Pair(cycle.get(k), cycle.get((k + 1) % cycle.size()));
      run.uses.get(hop).stream().skip(Math.max(0, run.uses.get(hop).size() - config.minRounds()))
          .forEach(u -> evidence.add(u.eventId()));
    }
    evidence.remove(i.eventId());
    evidence.add(i.eventId());
    List<String> path = new ArrayList<>(cycle);
    path.add(cycle.getFirst());
    String message = "Agents " + String.join(" → ", path) + " are passing work around in a loop: each hand-off"
        + " happened at least " + config.minRounds() + " times within " + Words.duration(config.window())
        + " in " + Words.run(runKey) + (tasks.isEmpty() ? ", and none of them reported task progress."
        : ", and nobody reported progress on " + Words.list(List.copyOf(tasks), 3) + ".");
    run.open.put(key, new Loop(cycle, tasks));
    signals.raise(new AlertDraft(NAME, key, i.eventId(), Severity.CRITICAL, runKey.isEmpty() ? null : runKey, cycle,
        evidence.size() > AlertDraft.MAX_EVIDENCE ? evidence.subList(evidence.size() - AlertDraft.MAX_EVIDENCE,
            evidence.size()) : evidence, message, i.ts(), String.join(" → ", path), null));
  }

  /** Whether an open loop of run {@code runKey} is passing task {@code taskId} around. */
  public boolean isLooping(String runKey, String taskId) {
    Run run = runs.get(runKey);
    return run != null && run.open.values().stream().anyMatch(l -> l.tasks().contains(taskId));
  }

  private boolean progressedRecently(Instant last) {
    return last != null && last.isAfter(clock.minus(config.window()));
  }

  /** The tasks the cycle's hand-offs within the window name at least minRounds times, sorted. */
  private Set<String> tasksOf(Run run, List<String> cycle) {
    Map<String, Integer> named = new HashMap<>();
    for (int k = 0; k < cycle.size(); k++) {
      for (Use u : run.uses.get(new Pair(cycle.get(k), cycle.get((k + 1) % cycle.size())))) {
        if (u.taskId() != null) {
          named.merge(u.taskId(), 1, Integer::sum);
        }
      }
    }
    Set<String> tasks = new TreeSet<>();
    named.forEach((task, n) -> {
      if (n >= config.minRounds()) {
        tasks.add(task);
      }
    });
    return tasks;
  }

  private void evict(ArrayDeque<Use> uses, Instant now) {
    Instant edge = now.minus(config.window());
    while (!uses.isEmpty() && !uses.peekFirst().ts().isAfter(edge)) {
      uses.pollFirst();
    }
  }

  @Override
  public void advance(Instant now, Signals signals) {
    // A deadline re-armed while handling another may itself be due already: repeat until none is.
    for (List<Deadlines.Due<HandOff>> dues = cooling.due(now); !dues.isEmpty(); dues = cooling.due(now)) {
      for (Deadlines.Due<HandOff> due : dues) {
        HandOff h = due.key();
        Run run = runs.get(h.runKey());
        ArrayDeque<Use> uses = run.uses.get(h.pair());
        // Judged as of the deadline, so a replay without wall-clock ticks decides the same.
        evict(uses, due.at());
        if (uses.size() >= config.minRounds()) {
          cooling.set(h, uses.peekFirst().ts().plus(config.window()));
          continue;
        }
        if (uses.isEmpty()) {
          run.uses.remove(h.pair());
        }
        run.hot.removeEdge(h.pair().from(), h.pair().to());
        for (Iterator<Map.Entry<String, Loop>> it = run.open.entrySet().iterator(); it.hasNext(); ) {
          Map.Entry<String, Loop> loop = it.next();
          if (usesHop(loop.getValue().cycle(), h.pair())) {
            it.remove();
            signals.resolve(NAME, loop.getKey(), "the loop stopped: " + h.pair().from() + " → " + h.pair().to()
                + " happened fewer than " + config.minRounds() + " times in the last " + Words.duration(config.window()),
                List.of(), due.at());
          }
        }
      }
    }
  }

  private static boolean usesHop(List<String> cycle, Pair pair) {
    for (int k = 0; k < cycle.size(); k++) {
      if (cycle.get(k).equals(pair.from()) && cycle.get((k + 1) % cycle.size()).equals(pair.to())) {
        return true;
      }
    }
    return false;
  }
}
