package io.agentwatch.analytics;

import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded manager/worker traffic of one run, with faults injected on request. Clean traffic: a
 * manager hands one task at a time to each worker; workers heartbeat every 30 s, report busy and
 * idle, call tools and models, report progress at least every minute, complete their tasks and
 * answer the manager; at the end every agent goes offline. Each fault gets agents of its own, so
 * an alert can be traced back to the fault that caused it.
 */
final class Traffic {

  enum Fault { LOOP, STUCK, LOST, HOARDING, FOREIGN_COMPLETION, FLAPPING, CASCADE, ERROR_BURST }

  /** An injected fault: the detector that must report it and the agents it concerns. */
  record Injected(Fault fault, String detector, Set<String> agents) {}

  private static final Duration HEARTBEAT = Duration.ofSeconds(30);

  final String runId;
  final List<Event> events = new ArrayList<>();
  final List<Injected> injected = new ArrayList<>();
  private final Random random;
  private final Script script;

  private Traffic(String runId, long seed) {
    this.runId = runId;
    this.random = new Random(seed);
    this.script = new Script(runId);
  }

  /** Runs {@code minutes} of traffic with {@code workers} workers and the given faults (each once). */
  static Traffic generate(String runId, long seed, int workers, int minutes, Set<Fault> faults) {
    Traffic t = new Traffic(runId, seed);
    t.run(workers, minutes, faults.isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(faults));
    return t;
  }

  private final class Worker {
    final String id;
    Instant nextHeartbeat;
    Instant nextStep;
    String task;
    String assignEvent;
    int steps;
    Instant lastProgress;
    boolean alive = true;
    boolean stuck;

    Worker(String id, Instant start) {
      this.id = id;
      this.nextHeartbeat = start.plusMillis(random.nextInt(5000));
      this.nextStep = start.plusSeconds(1 + random.nextInt(5));
    }
  }

  private void run(int workerCount, int minutes, EnumSet<Fault> faults) {
    Instant t0 = Script.T0;
    Instant end = t0.plus(Duration.ofMinutes(minutes));
    script.register("manager", "manager");
    List<Worker> workers = new ArrayList<>();
    for (int i = 0; i < workerCount; i++) {
      Worker w = new Worker("w" + i, t0);
      workers.add(w);
      script.register(w.id, "worker");
      script.heartbeat(w.id);
      script.status(w.id, "idle");
    }
    // Fault agents, spare from the clean ones; each fault fires once, after the anomaly warm-up.
    Worker stuck = faults.contains(Fault.STUCK) ? spare(workers, "stuck-w", t0) : null;
    Worker lost = faults.contains(Fault.LOST) ? spare(workers, "lost-w", t0) : null;
    Worker hoarder = faults.contains(Fault.HOARDING) ? spare(workers, "hoarder-w", t0) : null;
    Worker forger = faults.contains(Fault.FOREIGN_COMPLETION) ? spare(workers, "forger-w", t0) : null;
    Worker flapper = faults.contains(Fault.FLAPPING) ? spare(workers, "flapper-w", t0) : null;
    Worker erring = faults.contains(Fault.ERROR_BURST) ? spare(workers, "erring-w", t0) : null;
    Instant faultAt = t0.plus(Duration.ofMinutes(4)).plusSeconds(random.nextInt(60));
    boolean faultsDone = false;
    Instant hoardUntil = null;
    int taskSeq = 0;

    Instant now = t0;
    while (now.isBefore(end)) {
      // Never behind what was written already: producer time only moves forward in this run.
      now = (script.now().isAfter(now) ? script.now() : now).plusMillis(500 + random.nextInt(1000));
      script.at(now);
      if (!faultsDone && !now.isBefore(faultAt)) {
        faultsDone = true;
        for (Worker w : java.util.stream.Stream.of(stuck, lost, hoarder).filter(java.util.Objects::nonNull).toList()) {
          finish(w);
        }
        if (faults.contains(Fault.LOOP)) {
          loop(now);
        }
        if (stuck != null) {
          String task = "stuck-task";
          script.assign("manager", task, stuck.id).start(stuck.id, task);
          stuck.stuck = true;
          stuck.task = task;
          injected.add(new Injected(Fault.STUCK, "stuck_task", Set.of(stuck.id)));
        }
        if (lost != null) {
          lost.alive = false;
          injected.add(new Injected(Fault.LOST, "lost_agent", Set.of(lost.id)));
        }
        if (hoarder != null) {
          for (int k = 0; k < 6; k++) {
            script.assign("manager", "hoard-" + k, hoarder.id);
          }
          hoardUntil = script.now().plusSeconds(60);
          injected.add(new Injected(Fault.HOARDING, "resource_hoarding", Set.of(hoarder.id)));
        }
        if (forger != null) {
          Worker victim = workers.stream().filter(w -> w.task != null && !w.stuck && w.alive && w != forger)
              .findFirst().orElse(null);
          String task = victim != null ? victim.task : "orphan";
          if (victim == null) {
            script.assign("manager", task, "w0");
          }
          script.complete(forger.id, task, "forged");
          injected.add(new Injected(Fault.FOREIGN_COMPLETION, "inconsistent_agent", Set.of(forger.id)));
        }
        if (flapper != null) {
          for (int k = 0; k < 12; k++) {
            script.seconds(1).status(flapper.id, k % 2 == 0 ? "busy" : "error");
          }
          injected.add(new Injected(Fault.FLAPPING, "inconsistent_agent", Set.of(flapper.id)));
        }
        if (faults.contains(Fault.CASCADE)) {
          for (int k = 0; k < 60; k++) {
            script.seconds(0.05).message(k % 2 == 0 ? "broadcaster" : "amplifier", "listener-" + (k % 15));
          }
          injected.add(new Injected(Fault.CASCADE, "communication_cascade", Set.of("broadcaster", "amplifier")));
        }
        if (erring != null) {
          for (int k = 0; k < 6; k++) {
            script.seconds(0.2).error(erring.id);
          }
          injected.add(new Injected(Fault.ERROR_BURST, "anomaly", Set.of(erring.id)));
        }
        continue;
      }
      boolean hoarding = hoardUntil != null && now.isBefore(hoardUntil);
      if (hoarder != null && hoardUntil != null && !hoarding) {
        for (int k = 0; k < 6; k++) {
          script.complete(hoarder.id, "hoard-" + k, "ok");
        }
        hoardUntil = null;
      }
      if (hoarding && random.nextInt(20) == 0) {
        script.progress(hoarder.id, "hoard-" + random.nextInt(6), 50);
      }
      Worker w = workers.get(random.nextInt(workers.size()));
      if (!w.alive) {
        continue;
      }
      if (!now.isBefore(w.nextHeartbeat)) {
        script.heartbeat(w.id);
        w.nextHeartbeat = now.plus(HEARTBEAT).minusMillis(random.nextInt(2000));
      }
      for (Worker other : workers) {
        if (other.alive && !now.isBefore(other.nextHeartbeat.plusSeconds(3))) {
          script.heartbeat(other.id);
          other.nextHeartbeat = now.plus(HEARTBEAT).minusMillis(random.nextInt(2000));
        }
      }
      if (w.stuck || w == hoarder || now.isBefore(w.nextStep)) {
        continue;
      }
      if (w.task == null) {
        if (hoarding) {
          continue;
        }
        w.task = "task-" + (++taskSeq);
        script.event("task.created", "manager", null, null, "taskId", w.task, "title", "work");
        script.assign("manager", w.task, w.id);
        w.assignEvent = script.last();
        script.seconds(0.5).start(w.id, w.task).status(w.id, "busy");
        w.steps = 2 + random.nextInt(4);
        w.lastProgress = script.now();
        w.nextStep = script.now().plusSeconds(8 + random.nextInt(10));
      } else if (w.steps > 0) {
        w.steps--;
        if (random.nextBoolean()) {
          script.llm(w.id, 900 + random.nextInt(200), 0.002, 700 + random.nextInt(200));
        } else {
          script.event("tool.called", w.id, null, null, "tool", "search");
          script.seconds(0.3).event("tool.result", w.id, null, null, "tool", "search", "durationMs", 300);
        }
        script.progress(w.id, w.task, 100 - 15 * (w.steps + 1));
        w.nextStep = script.now().plusSeconds(8 + random.nextInt(10));
      } else {
        script.complete(w.id, w.task, "ok-" + w.task);
        script.reply(w.id, "manager", w.assignEvent);
        script.status(w.id, "idle");
        w.task = null;
        w.nextStep = script.now().plusSeconds(3 + random.nextInt(10));
      }
    }
    for (Worker w : workers) {
      if (w.alive) {
        script.status(w.id, "offline");
      }
    }
    script.event("run.completed", "manager", null, null);
    events.addAll(script.events());
  }

  /** Completes the worker's current task, so a fault that follows does not also leave it stuck. */
  private void finish(Worker w) {
    if (w.task != null) {
      script.complete(w.id, w.task, "ok-" + w.task).reply(w.id, "manager", w.assignEvent).status(w.id, "idle");
      w.task = null;
    }
  }

  private Worker spare(List<Worker> workers, String id, Instant t0) {
    Worker w = new Worker(id, t0);
    workers.add(w);
    script.register(w.id, "worker");
    script.heartbeat(w.id);
    return w;
  }

  /** Three agents of their own pass one piece of work around four times in under a minute. */
  private void loop(Instant now) {
    for (int round = 0; round < 4; round++) {
      script.seconds(2).message("router-a", "router-b").seconds(2).assign("router-b", "hot-potato", "router-c")
          .seconds(2).message("router-c", "router-a");
    }
    injected.add(new Injected(Fault.LOOP, "routing_loop", new HashSet<>(List.of("router-a", "router-b", "router-c"))));
  }
}
