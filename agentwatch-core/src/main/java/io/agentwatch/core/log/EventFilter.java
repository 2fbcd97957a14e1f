package io.agentwatch.core.log;

import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which events a reader wants: by run, by agent, and by type. A type pattern is either an exact
 * type ({@code task.started}) or a prefix written {@code task.*}, which matches every type that
 * starts with {@code task.}; {@code *} matches all. Null and empty mean "no restriction".
 */
public record EventFilter(String runId, String agentId, List<String> types) {

  public static final EventFilter ALL = new EventFilter(null, null, List.of());

  public EventFilter {
    // Checked on a plain copy: List.copyOf would refuse a null pattern with a bare NullPointerException.
    List<String> given = types == null ? List.of() : new ArrayList<>(types);
    for (String t : given) {
      if (t == null || t.isBlank() || t.length() > 64 || (t.contains("*") && !t.equals("*") && !t.endsWith(".*"))
          || t.indexOf('*') != t.lastIndexOf('*')) {
        throw new IllegalArgumentException("type filter must be a type like task.started or a prefix like task.* but was '"
            + t + "'");
      }
    }
    types = List.copyOf(given);
  }

  /** Exact types of this filter (no prefixes). */
  public List<String> exactTypes() {
    List<String> exact = new ArrayList<>();
    for (String t : types) {
      if (!t.endsWith("*")) {
        exact.add(t);
      }
    }
    return exact;
  }

  /** The prefixes (with the trailing dot, without the star) of this filter's {@code x.*} patterns. */
  public List<String> typePrefixes() {
    List<String> prefixes = new ArrayList<>();
    for (String t : types) {
      if (t.equals("*")) {
        prefixes.add("");
      } else if (t.endsWith(".*")) {
        prefixes.add(t.substring(0, t.length() - 1));
      }
    }
    return prefixes;
  }

  public boolean matches(StoredEvent stored) {
    return matches(stored.event());
  }

  public boolean matches(Event event) {
    if (runId != null && !runId.equals(event.runId())) {
      return false;
    }
    if (agentId != null && !agentId.equals(event.agentId())) {
      return false;
    }
    return matchesType(event.type());
  }

  public boolean matchesType(String type) {
    if (types.isEmpty()) {
      return true;
    }
    for (String t : types) {
      if (t.equals("*") || (t.endsWith(".*") ? type.startsWith(t.substring(0, t.length() - 1)) : t.equals(type))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EventFilter f && Objects.equals(runId, f.runId) && Objects.equals(agentId, f.agentId)
        && types.equals(f.types);
  }

  @Override
  public int hashCode() {
    return Objects.hash(runId, agentId, types);
  }
}
