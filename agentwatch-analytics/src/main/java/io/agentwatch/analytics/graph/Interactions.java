package io.agentwatch.analytics.graph;

import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns events into {@link Interaction}s. Remembers the most recent events (a bounded number, the
 * oldest forgotten first) so that a child event can be linked to its parent's agent; a parent
 * older than that memory is not linked. Not thread-safe.
 */
public final class Interactions {

  private record Remembered(String agentId, Instant ts, EdgeKind kind, String to) {}

  private final Map<String, Remembered> recent;

  /** @param memory how many recent events to remember for parent links */
  public Interactions(int memory) {
    if (memory < 1) {
      throw new IllegalArgumentException("memory must be at least 1 but was " + memory);
    }
    this.recent = new LinkedHashMap<>(Math.min(memory, 1 << 16), 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Remembered> eldest) {
        return size() > memory;
      }
    };
  }

  /** The links {@code e} shows, in a fixed order; remembers {@code e} for its children. */
  public List<Interaction> of(Event e) {
    List<Interaction> out = new ArrayList<>(2);
    String from = e.agentId();
    EdgeKind kind = null;
    String to = null;
    switch (e.type()) {
      case "message.sent" -> {
        kind = EdgeKind.MESSAGE;
        to = EventFacts.text(e.data(), "to");
        if (to == null) {
          to = e.target();
        }
      }
      case "task.assigned", "task.created" -> {
        to = EventFacts.text(e.data(), "assignee");
        kind = to == null ? null : EdgeKind.DELEGATION;
      }
      default -> {
        if (e.target() != null) {
          kind = EdgeKind.INVOCATION;
          to = e.target();
        }
      }
    }
    if (kind != null && to != null && !to.equals(from)) {
      out.add(new Interaction(from, to, kind, e.ts(), e.id(), -1, true));
    }
    if (e.parentId() != null) {
      Remembered parent = recent.get(e.parentId());
      if (parent != null && !parent.agentId().equals(from)) {
        long delay = Math.max(0, Duration.between(parent.ts(), e.ts()).toMillis());
        out.add(new Interaction(parent.agentId(), from, EdgeKind.CAUSAL, e.ts(), e.id(), delay, true));
        if (parent.kind() != null && from.equals(parent.to())) {
          out.add(new Interaction(parent.agentId(), from, parent.kind(), e.ts(), e.id(), delay, false));
        }
      }
    }
    recent.put(e.id(), new Remembered(from, e.ts(), kind, to));
    return out;
  }
}
