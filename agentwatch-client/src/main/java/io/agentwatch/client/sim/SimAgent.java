package io.agentwatch.client.sim;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.Command;
import io.agentwatch.client.CommandOutcome;
import io.agentwatch.client.Emission;
import io.agentwatch.client.EventDraft;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every simulated agent shares: its client, its think time, and obeying commands.
 *
 * <p>A command is applied by the agent's own thread at its next safe point (every pause is one),
 * and the handler waits for that, so a {@code command.acknowledged} with outcome {@code applied}
 * means the agent really changed: a paused agent emits only heartbeats until resumed, a cancelled
 * task is failed with the error {@code cancelled}, a quarantined worker gets no more tasks.
 */
abstract class SimAgent implements Runnable {

  static final long HEARTBEAT_MILLIS = 2_000;
  private static final long SLICE_MILLIS = 100;

  final String id;
  final Team team;
  final Random random;
  private final double pace;
  private final Throttle throttle;
  private final BlockingQueue<Pending> commands = new LinkedBlockingQueue<>();
  volatile AgentwatchClient client;
  volatile boolean running = true;
  boolean paused;
  boolean quarantined;
  /** The run the agent works in now (its heartbeats belong to it), or null. */
  String currentRun;
  private long lastHeartbeat;

  private record Pending(Command command, CompletableFuture<CommandOutcome> outcome) {}

  SimAgent(String id, Team team, long seed, double pace, Throttle throttle) {
    this.id = id;
    this.team = team;
    this.random = new Random(seed ^ id.hashCode());
    this.pace = pace;
    this.throttle = throttle;
  }

  /** The client's command handler: hands the command to the agent's thread and waits until it was applied. */
  CommandOutcome onCommand(Command command) throws InterruptedException {
    Pending pending = new Pending(command, new CompletableFuture<>());
    commands.add(pending);
    try {
      return pending.outcome().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return CommandOutcome.rejected(String.valueOf(e.getCause().getMessage()));
    } catch (TimeoutException e) {
      return CommandOutcome.rejected("the agent did not reach a safe point within 30 s");
    }
  }

  /** Applies the commands that arrived; called by the agent's thread only. */
  final void applyCommands() {
    Pending p;
    while ((p = commands.poll()) != null) {
      CommandOutcome outcome;
      try {
        outcome = apply(p.command());
      } catch (RuntimeException e) {
        outcome = CommandOutcome.rejected(e.getMessage());
      }
      p.outcome().complete(outcome);
    }
  }

  /** Carries out one command on the agent's thread. */
  CommandOutcome apply(Command command) {
    return switch (command.type()) {
      case "pause" -> {
        paused = true;
        status("paused");
        yield CommandOutcome.done();
      }
      case "resume" -> {
        if (!paused && !quarantined) {
          yield CommandOutcome.rejected(id + " is neither paused nor quarantined");
        }
        paused = false;
        quarantined = false;
        team.quarantine(id, false);
        status(resumedStatus());
        yield CommandOutcome.done();
      }
      case "quarantine" -> {
        quarantined = true;
        team.quarantine(id, true);
        status("quarantined");
        yield CommandOutcome.done();
      }
      case "cancel" -> cancel(command);
      default -> CommandOutcome.rejected("unknown command type '" + command.type() + "'");
    };
  }

  abstract CommandOutcome cancel(Command command);

  /** The status after a resume: busy or idle. */
  abstract String resumedStatus();

  boolean halted() {
    return paused || quarantined;
  }

  /** While paused or quarantined: only heartbeats, until resumed (or the simulation stops). */
  void waitWhileHalted(String runId) {
    while (running && halted()) {
      heartbeatIfDue(runId);
      sleepSlice(SLICE_MILLIS);
      applyCommands();
    }
  }

  /**
   * Think time: {@code millis} scaled by the pace, obeying commands meanwhile. A pause or quarantine
   * that arrives holds the agent here, heartbeating, until it is resumed: no more work is emitted.
   */
  void pause(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos((long) (millis * pace));
    do {
      applyCommands();
      long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
      if (left <= 0) {
        break;
      }
      sleepSlice(Math.min(left, SLICE_MILLIS));
    } while (running);
    waitWhileHalted(currentRun);
  }

  void sleepSlice(long millis) {
    try {
      Thread.sleep(Math.max(1, millis));
    } catch (InterruptedException e) {
      running = false;
      Thread.currentThread().interrupt();
    }
  }

  /** Emits an event and returns its id; waits while the buffer answers back-pressure. */
  String emit(String type, String runId, String parentId, String target, Map<String, ?> data) {
    return send(type, runId, parentId, target, data).id();
  }

  Emission send(String type, String runId, String parentId, String target, Map<String, ?> data) {
    throttle.acquire();
    while (true) {
      Emission e = client.emit(EventDraft.of(type, data).run(runId).parent(parentId).target(target));
      if (e.status() != Emission.Status.BACK_PRESSURE || !running) {
        return e;
      }
      sleepSlice(200);
    }
  }

  /**
   * Waits until the server stored the event, so that what this agent hands to another is durable
   * before the other can act on it (causal order across agents), obeying commands meanwhile.
   */
  void awaitStored(Emission e) {
    while (running) {
      try {
        e.stored().get(SLICE_MILLIS, TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException waiting) {
        applyCommands();
      } catch (ExecutionException notStored) {
        return;
      } catch (InterruptedException interrupted) {
        running = false;
        Thread.currentThread().interrupt();
      }
    }
  }

  void status(String status) {
    emit("agent.status", null, null, null, Map.of("status", status));
  }

  void heartbeat(String runId) {
    lastHeartbeat = System.nanoTime();
    emit("agent.heartbeat", runId, null, null, Map.of("cpu", Math.round(random.nextDouble() * 800) / 10.0,
        "memoryMb", 200 + random.nextInt(300), "queueDepth", random.nextInt(5)));
  }

  void heartbeatIfDue(String runId) {
    if (System.nanoTime() - lastHeartbeat >= TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_MILLIS)) {
      heartbeat(runId);
    }
  }

  String pick(java.util.List<String> options) {
    return options.get(random.nextInt(options.size()));
  }

  static String capitalised(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
