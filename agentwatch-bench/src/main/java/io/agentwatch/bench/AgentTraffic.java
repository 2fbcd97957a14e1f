package io.agentwatch.bench;

import java.time.Instant;
import java.util.Locale;

/**
 * What a team of agents sends while it works, for the browser benchmark: {@code agents} agents in
 * {@code runs} runs (agent {@code a} in run {@code a % runs}; the first agent of each run is its
 * manager), each going round a cycle of ten event types: task created, started, a tool call and
 * its result, a model call, a heartbeat, progress, a message to the run's manager (the manager
 * writes to its first worker), a log line, and the task completed (every tenth failed).
 *
 * <p>Producer {@code p} of {@code producers} speaks for the agents {@code p, p + producers, …},
 * taking them in turn, so every agent's events come from one producer in order. Each event
 * carries its send time twice, last in {@code data}: {@code sentAtMs} (epoch milliseconds, the
 * clock the page reads with {@code Date.now()}) and {@code sentNanos} ({@link System#nanoTime()},
 * which the bench's own subscriber reads, see {@link Envelopes#sentNanos(byte[], int)}).
 * Built by string concatenation, like {@link Envelopes}: the client shares the machine.
 */
final class AgentTraffic implements EventBatches {

  /** Event types in the order each agent goes through them. */
  static final String[] CYCLE = {"task.created", "task.started", "tool.called", "tool.result", "llm.call",
      "agent.heartbeat", "task.progress", "message.sent", "log", "task.completed"};
  private static final int FAIL_EVERY = 10;
  private static final String[] TOOLS = {"search", "fetch_page", "run_sql", "read_file"};
  private static final String[] MODELS = {"gpt-x", "claude-y", "llama-z"};

  private final String idPrefix;
  private final String runPrefix;
  private final int agents;
  private final int runs;
  private final int producers;

  /**
   * @param idPrefix  prefix of event and task ids, one per producing phase (ids must not repeat)
   * @param runPrefix prefix of the run ids, the same for the whole benchmark
   */
  AgentTraffic(String idPrefix, String runPrefix, int agents, int runs, int producers) {
    if (runs < 1 || agents < 2 * runs || producers < 1 || producers > agents) {
      throw new IllegalArgumentException("need a manager and a worker per run and 1 <= producers <= agents but got "
          + agents + " agents, " + runs + " runs, " + producers + " producers");
    }
    this.idPrefix = idPrefix;
    this.runPrefix = runPrefix;
    this.agents = agents;
    this.runs = runs;
    this.producers = producers;
  }

  static String agentId(int agent) {
    return String.format(Locale.ROOT, "agent-%02d", agent);
  }

  String runId(int agent) {
    return runPrefix + "-" + (agent % runs + 1);
  }

  boolean isManager(int agent) {
    return agent < runs;
  }

  /** How many agents producer {@code p} speaks for. */
  int agentsOf(int producer) {
    return (agents - producer + producers - 1) / producers;
  }

  /** The agent whose event is the producer's {@code seq}-th. */
  int agentAt(int producer, long seq) {
    return producer + producers * (int) (seq % agentsOf(producer));
  }

  /** How many events that agent sent before this one: its place in its cycles. */
  long stepAt(int producer, long seq) {
    return seq / agentsOf(producer);
  }

  /** One {@code agent.registered} per agent, to send once before the traffic. */
  String registrations() {
    String ts = Instant.now().toString();
    StringBuilder sb = new StringBuilder("[");
    for (int a = 0; a < agents; a++) {
      if (a > 0) {
        sb.append(',');
      }
      sb.append("{\"id\":\"").append(idPrefix).append(".register.").append(a)
          .append("\",\"type\":\"agent.registered\",\"agentId\":\"").append(agentId(a))
          .append("\",\"runId\":\"").append(runId(a)).append("\",\"ts\":\"").append(ts)
          .append("\",\"data\":{\"role\":\"").append(isManager(a) ? "manager" : "worker")
          .append("\",\"name\":\"").append(isManager(a) ? "Planner " : "Worker ").append(a)
          .append("\",\"capabilities\":[\"search\",\"summarise\"]}}");
    }
    return sb.append(']').toString();
  }

  @Override
  public String array(int producer, long firstSeq, int count) {
    String ts = Instant.now().toString();
    long sentAtMs = System.currentTimeMillis();
    long sentNanos = System.nanoTime();
    StringBuilder sb = new StringBuilder(count * 420 + 2).append('[');
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      appendEvent(sb, producer, firstSeq + i, ts, sentAtMs, sentNanos);
    }
    return sb.append(']').toString();
  }

  void appendEvent(StringBuilder sb, int producer, long seq, String ts, long sentAtMs, long sentNanos) {
    int agent = agentAt(producer, seq);
    long step = stepAt(producer, seq);
    long cycle = step / CYCLE.length;
    String type = CYCLE[(int) (step % CYCLE.length)];
    boolean fails = cycle % FAIL_EVERY == FAIL_EVERY - 1;
    String task = idPrefix + "-" + agent + "-" + cycle;
    String tool = TOOLS[(int) (cycle % TOOLS.length)];
    if (type.equals("task.completed") && fails) {
      type = "task.failed";
    }
    sb.append("{\"id\":\"").append(idPrefix).append('.').append(producer).append('.').append(seq)
        .append("\",\"type\":\"").append(type).append("\",\"agentId\":\"").append(agentId(agent))
        .append("\",\"runId\":\"").append(runId(agent)).append("\",\"ts\":\"").append(ts).append("\",\"data\":{");
    switch (type) {
      case "task.created" -> sb.append("\"taskId\":\"").append(task).append("\",\"title\":\"Summarise section ")
          .append(cycle).append(" of the quarterly report\",\"assignee\":\"").append(agentId(agent)).append('"');
      case "task.started", "task.completed" -> sb.append("\"taskId\":\"").append(task).append('"');
      case "task.failed" -> sb.append("\"taskId\":\"").append(task)
          .append("\",\"error\":\"the search tool timed out after 30 s\"");
      case "tool.called" -> sb.append("\"tool\":\"").append(tool).append("\",\"args\":{\"query\":\"quarterly revenue ")
          .append(cycle).append("\"}");
      case "tool.result" -> sb.append("\"tool\":\"").append(tool).append("\",\"durationMs\":")
          .append(40 + (seq * 37) % 900);
      case "llm.call" -> sb.append("\"model\":\"").append(MODELS[agent % MODELS.length])
          .append("\",\"inputTokens\":").append(800 + (seq * 13) % 2400).append(",\"outputTokens\":")
          .append(120 + (seq * 7) % 600).append(",\"costUsd\":0.0042,\"latencyMs\":").append(300 + (seq * 11) % 1500);
      case "agent.heartbeat" -> sb.append("\"cpu\":").append(5 + (seq * 3) % 90).append(",\"memoryMb\":")
          .append(200 + (seq * 5) % 800).append(",\"queueDepth\":").append(seq % 7);
      case "task.progress" -> sb.append("\"taskId\":\"").append(task).append("\",\"percent\":50");
      case "message.sent" -> sb.append("\"to\":\"").append(agentId(isManager(agent) ? agent + runs : agent % runs))
          .append("\",\"content\":\"").append(isManager(agent) ? "Please summarise section " : "Summary of section ")
          .append(cycle).append(isManager(agent) ? " by noon." : " is ready: revenue grew, costs held.").append('"');
      case "log" -> sb.append("\"level\":\"info\",\"message\":\"finished step ").append(step)
          .append(" of the summary; cached the intermediate notes for the manager to review later\"");
      default -> throw new IllegalStateException("no payload for " + type);
    }
    sb.append(",\"sentAtMs\":").append(sentAtMs).append(",\"sentNanos\":").append(sentNanos).append("}}");
  }
}
