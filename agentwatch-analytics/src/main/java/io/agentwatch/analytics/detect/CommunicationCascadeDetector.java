package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.graph.EdgeKind;
import io.agentwatch.analytics.graph.Interaction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code communication_cascade}: a burst of fan-out messages in a run, at least {@code minMessages}
 * {@code message.sent} within {@code window} reaching at least {@code minRecipients} distinct
 * agents. Resolved once the run's message rate in the window falls below half the threshold.
 */
public final class CommunicationCascadeDetector implements Detector {

  public static final String NAME = "communication_cascade";

  public record Config(Duration window, int minMessages, int minRecipients) {

    public static final Config DEFAULTS = new Config(Duration.ofSeconds(10), 50, 10);

    public Config {
      Words.positive("communication_cascade.window", window);
      Words.atLeast("communication_cascade.minMessages", minMessages, 2);
      Words.atLeast("communication_cascade.minRecipients", minRecipients, 1);
    }
  }

  private record Message(Instant ts, String eventId, String from, String to) {}

  private static final class Run {
    final ArrayDeque<Message> window = new ArrayDeque<>();
    final Map<String, Integer> recipients = new HashMap<>();
    final Map<String, Integer> senders = new HashMap<>();

    void add(Message m) {
      window.addLast(m);
      recipients.merge(m.to(), 1, Integer::sum);
      senders.merge(m.from(), 1, Integer::sum);
    }

    /** Drops the messages at or before {@code edge}: the window is (now - window, now]. */
    void evictUpTo(Instant edge) {
      while (!window.isEmpty() && !window.peekFirst().ts().isAfter(edge)) {
        Message m = window.pollFirst();
        recipients.computeIfPresent(m.to(), (k, n) -> n == 1 ? null : n - 1);
        senders.computeIfPresent(m.from(), (k, n) -> n == 1 ? null : n - 1);
      }
    }
  }

  private final Config config;
  private final Map<String, Run> runs = new HashMap<>();
  private final Deadlines<String> checks = new Deadlines<>();
  private Instant clock = Instant.MIN;

  public CommunicationCascadeDetector(Config config) {
    this.config = config;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    clock = o.event().ts().isAfter(clock) ? o.event().ts() : clock;
    for (Interaction i : o.interactions()) {
      if (i.kind() != EdgeKind.MESSAGE || !i.counted()) {
        continue;
      }
      String runKey = o.runKey();
      Run run = runs.computeIfAbsent(runKey, k -> new Run());
      run.add(new Message(i.ts(), i.eventId(), i.from(), i.to()));
      run.evictUpTo(clock.minus(config.window()));
      if (run.window.size() >= config.minMessages() && run.recipients.size() >= config.minRecipients()
          && !signals.isOpen(NAME, runKey)) {
        raise(runKey, run, i, signals);
        checks.set(runKey, run.window.peekFirst().ts().plus(config.window()));
      }
    }
  }

  private void raise(String runKey, Run run, Interaction trigger, Signals signals) {
    List<Map.Entry<String, Integer>> senders = new ArrayList<>(run.senders.entrySet());
    senders.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
    List<String> agents = new ArrayList<>();
    List<String> described = new ArrayList<>();
    for (Map.Entry<String, Integer> s : senders.subList(0, Math.min(10, senders.size()))) {
      agents.add(s.getKey());
      described.add(s.getKey() + " (" + s.getValue() + ")");
    }
    List<String> evidence = new ArrayList<>();
    run.window.stream().limit(AlertDraft.MAX_EVIDENCE).forEach(m -> evidence.add(m.eventId()));
    String message = Words.inRun(runKey) + ", " + run.window.size() + " messages went to " + run.recipients.size()
        + " different agents within " + Words.duration(config.window()) + ", a cascade of fan-out; the busiest senders"
        + " were " + Words.list(described, 5) + ".";
    signals.raise(new AlertDraft(NAME, runKey, trigger.eventId(), Severity.WARNING, runKey.isEmpty() ? null : runKey,
        agents, evidence, message, trigger.ts(), "burst of " + run.window.size() + " messages", null));
  }

  @Override
  public void advance(Instant now, Signals signals) {
    // A deadline re-armed while handling another may itself be due already: repeat until none is.
    for (List<Deadlines.Due<String>> dues = checks.due(now); !dues.isEmpty(); dues = checks.due(now)) {
      for (Deadlines.Due<String> due : dues) {
        String runKey = due.key();
        Run run = runs.get(runKey);
        // Judged as of the deadline, not of whatever moved the clock past it: replays give the same answer.
        run.evictUpTo(due.at().minus(config.window()));
        if (run.window.size() * 2 < config.minMessages()) {
          signals.resolve(NAME, runKey, "the burst subsided: " + run.window.size() + " messages in the last "
              + Words.duration(config.window()), List.of(), due.at());
        } else if (!run.window.isEmpty()) {
          checks.set(runKey, run.window.peekFirst().ts().plus(config.window()));
        }
      }
    }
  }
}
