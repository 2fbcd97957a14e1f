package io.agentwatch.analytics.policy;

import io.agentwatch.analytics.config.InvalidDefinitionException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Refuses policies that would react to their own commands. A command changes what the detectors
 * see: a paused or quarantined agent's tasks stop moving ({@code stuck_task}), it holds tasks others
 * could take ({@code resource_hoarding}), it may stop heartbeating ({@code lost_agent}) and its
 * status changes ({@code inconsistent_agent} counts flapping); a cancelled task fails
 * ({@code anomaly}: the error rate). An enforced policy whose command can cause a finding that an
 * enforced policy matches, which can cause a finding that … the first matches, would go on acting
 * on what it did itself. Such a set is refused, whether the cycle is one policy or several.
 * Policies in dry-run and {@code notify} policies command nobody and close no cycle.
 */
public final class PolicyCycles {

  /** What each command can make the detectors find. */
  static final Map<Policy.Action, Set<String>> CAUSES = Map.of(
      Policy.Action.PAUSE, Set.of("stuck_task", "resource_hoarding", "lost_agent", "inconsistent_agent"),
      Policy.Action.QUARANTINE, Set.of("stuck_task", "resource_hoarding", "lost_agent", "inconsistent_agent"),
      Policy.Action.CANCEL, Set.of("anomaly"),
      Policy.Action.NOTIFY, Set.of());

  private PolicyCycles() {}

  /**
   * Checks {@code candidate} among {@code others} (a policy of the same id among them is the one it
   * replaces).
   *
   * @throws InvalidDefinitionException on {@code match.detectors}, telling the cycle
   */
  public static void check(Policy candidate, Collection<Policy> others) {
    Map<String, Policy> all = new LinkedHashMap<>();
    for (Policy p : others) {
      if (!p.id().equals(candidate.id())) {
        all.put(p.id(), p);
      }
    }
    all.put(candidate.id(), candidate);
    List<Policy> path = new ArrayList<>();
    path.add(candidate);
    List<Policy> cycle = search(candidate, candidate, all, path);
    if (cycle != null) {
      throw new InvalidDefinitionException("match.detectors", describe(cycle));
    }
  }

  /** A path of reactions from {@code from} back to {@code start}, or null. */
  private static List<Policy> search(Policy start, Policy from, Map<String, Policy> all, List<Policy> path) {
    if (!acts(from)) {
      return null;
    }
    for (Policy next : all.values()) {
      if (!acts(next) || !reacts(from, next)) {
        continue;
      }
      if (next.id().equals(start.id())) {
        return List.copyOf(path);
      }
      if (path.stream().noneMatch(p -> p.id().equals(next.id()))) {
        path.add(next);
        List<Policy> found = search(start, next, all, path);
        if (found != null) {
          return found;
        }
        path.removeLast();
      }
    }
    return null;
  }

  private static boolean acts(Policy p) {
    return p.enforced() && p.action().commands();
  }

  private static boolean reacts(Policy cause, Policy reaction) {
    return CAUSES.get(cause.action()).stream().anyMatch(reaction.detectors()::contains);
  }

  private static String describe(List<Policy> cycle) {
    if (cycle.size() == 1) {
      Policy p = cycle.getFirst();
      return "policy '" + p.id() + "' would react to its own commands: " + p.action().label() + " can cause "
          + caused(p, p) + ", which it matches. Match other detectors, use another action, or keep it in dry-run";
    }
    StringBuilder sb = new StringBuilder("policies ");
    for (Policy p : cycle) {
      sb.append('\'').append(p.id()).append("' → ");
    }
    sb.append('\'').append(cycle.getFirst().id()).append("' would react to each other's commands: ");
    for (int i = 0; i < cycle.size(); i++) {
      Policy p = cycle.get(i);
      Policy next = cycle.get((i + 1) % cycle.size());
      sb.append(i == 0 ? "" : "; ").append('\'').append(p.id()).append("' ").append(p.action().label())
          .append("s, which can cause ").append(caused(p, next)).append(", which '").append(next.id())
          .append("' matches");
    }
    return sb.toString();
  }

  private static String caused(Policy cause, Policy reaction) {
    return String.join(" and ", CAUSES.get(cause.action()).stream().filter(reaction.detectors()::contains).sorted()
        .toList());
  }
}
