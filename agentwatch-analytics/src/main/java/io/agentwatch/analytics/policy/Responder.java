package io.agentwatch.analytics.policy;

import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.analytics.alert.AlertItem;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.core.Digests;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Carries out the policies: told of every new finding (after it joined its alert), each active
 * policy that matches it acts on the agents the finding names.
 *
 * <ul>
 *   <li>An enforced {@code pause}, {@code quarantine} or {@code cancel} appends a
 *       {@code command.issued} for each agent, exactly like the commands API does (so the command
 *       dispatcher delivers it over the agent's WebSocket), with {@code issuedBy}/{@code by}
 *       {@code policy:<id>} and the alert and finding it answers. {@code resume} through the
 *       commands API undoes it.</li>
 *   <li>A policy in dry-run, and a {@code notify} policy, append a {@code policy.matched} instead
 *       ({@code outcome} {@code dry-run} or {@code notified}) and command nobody.</li>
 *   <li>Within its {@code cooldown} of acting on an agent, or past its cap, a policy records a
 *       {@code policy.matched} with outcome {@code cooldown} or {@code cap} and does nothing.</li>
 * </ul>
 *
 * <p>Deterministic: its only inputs are the findings and the policies as of their place in the
 * log; times are event times and ids derive from (policy, finding, agent). A replay of the log
 * makes the same commands with the same ids, which the log drops as duplicates: no agent is
 * commanded twice. Not thread-safe.
 */
public final class Responder implements AlertIssuer.FindingListener {

  /** The agent id of {@code policy.matched}: the analytics records it, no agent sent it. */
  public static final String ISSUER = AlertEvents.ANALYTICS_AGENT;

  private final PolicyBook policies;
  /** (policy, agent) → when the policy last acted on the agent. */
  private final Map<String, Instant> lastActed = new HashMap<>();
  /** policy → when it acted, within its cap window. */
  private final Map<String, ArrayDeque<Instant>> actions = new HashMap<>();

  public Responder(PolicyBook policies) {
    this.policies = policies;
  }

  @Override
  public void found(AlertItem finding, String alertId, Consumer<Event> emit) {
    for (Policy p : policies.active()) {
      if (matches(p, finding)) {
        respond(p, finding, alertId, emit);
      }
    }
  }

  private static boolean matches(Policy p, AlertItem f) {
    Severity s = Severity.of(f.severity());
    return p.detectors().contains(f.detector()) && s != null && s.ordinal() >= p.minSeverity().ordinal()
        && (p.runId() == null || p.runId().equals(f.runId()))
        && (p.agentId() == null || f.agents().contains(p.agentId()));
  }

  private void respond(Policy p, AlertItem f, String alertId, Consumer<Event> emit) {
    Instant at = f.raisedAt();
    if (!p.action().commands()) {
      emit.accept(matched(p, f, alertId, null, p.enforced() ? "notified" : "dry-run", at));
      return;
    }
    List<String> targets = p.agentId() != null ? List.of(p.agentId())
        : p.targets() == Policy.Targets.FIRST && !f.agents().isEmpty() ? List.of(f.agents().getFirst()) : f.agents();
    for (String agent : targets) {
      String outcome = hold(p, agent, at);
      if (outcome != null) {
        emit.accept(matched(p, f, alertId, agent, outcome, at));
        continue;
      }
      lastActed.put(p.id() + '\u0000' + agent, at);
      actions.computeIfAbsent(p.id(), k -> new ArrayDeque<>()).addLast(at);
      emit.accept(p.enforced() ? command(p, f, alertId, agent, at) : matched(p, f, alertId, agent, "dry-run", at));
    }
  }

  /** Why the policy must not act on {@code agent} now (cooldown, cap), or null when it may. */
  private String hold(Policy p, String agent, Instant at) {
    Instant last = lastActed.get(p.id() + '\u0000' + agent);
    if (last != null && at.isBefore(last.plus(p.cooldown()))) {
      return "cooldown";
    }
    ArrayDeque<Instant> done = actions.get(p.id());
    if (done != null) {
      Instant edge = at.minus(p.capWindow());
      while (!done.isEmpty() && !done.peekFirst().isAfter(edge)) {
        done.pollFirst();
      }
      if (done.size() >= p.capActions()) {
        return "cap";
      }
    }
    return null;
  }

  private static Event command(Policy p, AlertItem f, String alertId, String agent, Instant at) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("type", p.action().label());
    data.put("reason", "policy '" + p.title() + "' (" + p.id() + "): " + f.message());
    String taskId = taskOf(f);
    if (p.action() == Policy.Action.CANCEL && taskId != null) {
      data.put("taskId", taskId);
    }
    data.put("issuedBy", "policy:" + p.id());
    data.put("by", "policy:" + p.id());
    data.put("policyId", p.id());
    data.put("alertId", alertId);
    data.put("finding", f.finding());
    data.put("detector", f.detector());
    data.put("agentId", agent);
    String id = "cmd-p-" + Digests.sha256Hex(p.id() + '\u0000' + f.finding() + '\u0000' + agent).substring(0, 40);
    return new Event(id, "command.issued", agent, f.runId(), at, alertId, agent, data);
  }

  private static Event matched(Policy p, AlertItem f, String alertId, String agent, String outcome, Instant at) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.put("policyId", p.id());
    data.put("policy", p.title());
    data.put("mode", p.mode().label());
    data.put("action", p.action().label());
    data.put("outcome", outcome);
    data.put("alertId", alertId);
    data.put("finding", f.finding());
    data.put("detector", f.detector());
    data.put("severity", f.severity());
    if (agent != null) {
      data.put("agentId", agent);
    }
    ArrayNode agents = data.putArray("agents");
    f.agents().forEach(agents::add);
    data.put("message", f.message());
    String id = "pm-" + Digests.sha256Hex(p.id() + '\u0000' + f.finding() + '\u0000' + (agent == null ? "" : agent)
        + '\u0000' + outcome).substring(0, 40);
    return new Event(id, Policy.MATCHED, ISSUER, f.runId(), at, alertId, agent, data);
  }

  /** The task a finding is about, for a cancel: its facts' taskId. */
  private static String taskOf(AlertItem f) {
    JsonNode facts = f.facts();
    JsonNode task = facts == null ? null : facts.get("taskId");
    return task != null && task.isString() ? task.stringValue() : null;
  }
}
