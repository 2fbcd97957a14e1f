package io.agentwatch.analytics.policy;

import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.model.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's policies: a fold of its {@code policy.set} and {@code policy.deleted} events in log
 * order, so they replay with the log and act from the point of the log where they were set.
 *
 * <p>The API refuses a policy that would close a cycle with the others ({@link PolicyCycles});
 * should two writes race past that check, the one that closes the cycle in the log is
 * {@code refused} here, deterministically, and never acts. Not thread-safe.
 */
public final class PolicyBook {

  /**
   * A policy as stored.
   *
   * @param refused why it does not act (it closes a cycle), or null when it is active
   */
  public record Stored(Policy policy, Instant at, String by, long version, String refused) {}

  private static final System.Logger LOG = System.getLogger(PolicyBook.class.getName());

  private final List<String> detectors;
  private final Map<String, Stored> policies = new LinkedHashMap<>();

  /** @param detectors the detector names policies may match */
  public PolicyBook(List<String> detectors) {
    this.detectors = List.copyOf(detectors);
  }

  /** Applies a policy event; other events are ignored. */
  public void apply(Event e) {
    switch (e.type()) {
      case Policy.SET -> {
        Policy p;
        try {
          p = Policy.parse(e.data().get("policy"), null, detectors);
        } catch (InvalidDefinitionException | NullPointerException bad) {
          LOG.log(System.Logger.Level.WARNING, "skipping policy event " + e.id() + ": " + bad.getMessage());
          return;
        }
        String refused = null;
        try {
          PolicyCycles.check(p, active());
        } catch (InvalidDefinitionException cycle) {
          refused = cycle.getMessage();
        }
        Stored old = policies.get(p.id());
        policies.put(p.id(), new Stored(p, e.ts(), EventFacts.text(e.data(), "by"), old == null ? 1 : old.version() + 1,
            refused));
      }
      case Policy.DELETED -> {
        String id = EventFacts.text(e.data(), "policyId");
        if (id != null) {
          policies.remove(id);
        }
      }
      default -> { }
    }
  }

  public Stored get(String id) {
    return policies.get(id);
  }

  /** Every policy, in the order they were first set. */
  public List<Stored> all() {
    return new ArrayList<>(policies.values());
  }

  /** The policies that act (not refused). */
  public List<Policy> active() {
    List<Policy> out = new ArrayList<>();
    for (Stored s : policies.values()) {
      if (s.refused() == null) {
        out.add(s.policy());
      }
    }
    return out;
  }

  public List<String> detectors() {
    return detectors;
  }
}
