package io.agentwatch.client.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A manager and its workers: the names the agents go by, the inbox where each worker finds the
 * tasks handed to it, and the workers under quarantine, whom the manager no longer assigns to.
 */
public final class Team {

  /** A task handed from the manager to a worker, with the event that created it. */
  record Task(String runId, String taskId, String title, String createdEventId) {

    /** Not a task: the run is over, sign off once the tasks before this are done. */
    static Task signOff(String runId) {
      return new Task(runId, null, null, null);
    }

    boolean isSignOff() {
      return taskId == null;
    }
  }

  private final String manager;
  private final List<String> workers;
  private final Map<String, BlockingQueue<Task>> inboxes = new LinkedHashMap<>();
  private final Set<String> quarantined = ConcurrentHashMap.newKeySet();

  /**
   * @param manager the manager's agent id
   * @param workers the workers' agent ids; at least one
   */
  public Team(String manager, List<String> workers) {
    if (manager == null || manager.isBlank()) {
      throw new IllegalArgumentException("a team needs a manager but was given '" + manager + "'");
    }
    if (workers == null || workers.isEmpty()) {
      throw new IllegalArgumentException("team " + manager + " needs at least one worker but had " + workers);
    }
    this.manager = manager;
    this.workers = List.copyOf(workers);
    for (String w : workers) {
      inboxes.put(w, new ArrayBlockingQueue<>(100));
    }
  }

  /**
   * {@code agents} agents in teams of a manager and up to three workers, named
   * {@code <prefix>-<team>-manager} and {@code <prefix>-<team>-worker-<n>}.
   */
  public static List<Team> of(String prefix, int agents) {
    if (agents < 2) {
      throw new IllegalArgumentException("a simulation needs at least 2 agents (a manager and a worker) but was "
          + agents);
    }
    List<Team> teams = new java.util.ArrayList<>();
    int left = agents;
    for (int t = 1; left > 0; t++) {
      // Never leave a lone manager for the last team.
      int size = left == 5 ? 3 : Math.min(4, left);
      List<String> workers = new java.util.ArrayList<>();
      for (int w = 1; w < size; w++) {
        workers.add(prefix + "-" + t + "-worker-" + w);
      }
      teams.add(new Team(prefix + "-" + t + "-manager", workers));
      left -= size;
    }
    return teams;
  }

  public String manager() {
    return manager;
  }

  public List<String> workers() {
    return workers;
  }

  /** Every worker's inbox, to tell them all that a run is over. */
  java.util.Collection<BlockingQueue<Task>> inboxes() {
    return inboxes.values();
  }

  BlockingQueue<Task> inbox(String worker) {
    return inboxes.get(worker);
  }

  void quarantine(String worker, boolean on) {
    if (on) {
      quarantined.add(worker);
    } else {
      quarantined.remove(worker);
    }
  }

  /** The workers the manager may assign to now. */
  List<String> available() {
    return workers.stream().filter(w -> !quarantined.contains(w)).toList();
  }
}
