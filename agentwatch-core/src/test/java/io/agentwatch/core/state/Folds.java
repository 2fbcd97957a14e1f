package io.agentwatch.core.state;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Projections folded from scratch, the way property tests state what the real thing must equal. */
public final class Folds {

  private Folds() {}

  /** Every event of the log, all tenants, in log order. */
  public static List<StoredEvent> readAll(EventLog log) {
    List<StoredEvent> all = new ArrayList<>();
    Cursor after = log.beginning();
    while (true) {
      List<StoredEvent> page = log.readAll(after, 1000);
      if (page.isEmpty()) {
        return all;
      }
      all.addAll(page);
      after = page.getLast().cursor();
    }
  }

  /** Each tenant's events folded in log order. */
  public static Map<String, Projection> byTenant(List<StoredEvent> events) {
    Map<String, Projection> out = new TreeMap<>();
    for (StoredEvent e : events) {
      out.computeIfAbsent(e.tenant(), t -> new Projection()).apply(e.event());
    }
    return out;
  }

  /** The fold, in log order, of exactly {@code tenant}'s events of {@code runId} whose time is at or before {@code at}. */
  public static Projection runAt(List<StoredEvent> events, String tenant, String runId, Instant at) {
    Projection p = new Projection();
    for (StoredEvent e : events) {
      if (e.tenant().equals(tenant) && runId.equals(e.event().runId()) && !e.event().ts().isAfter(at)) {
        p.apply(e.event());
      }
    }
    return p;
  }
}
