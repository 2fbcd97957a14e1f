package io.agentwatch.core.state;

import io.agentwatch.model.Cursor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link ProjectionStore} in memory, for tests. */
public final class InMemoryProjectionStore implements ProjectionStore {

  private final Map<String, Row> rows = new LinkedHashMap<>();
  private final Map<String, List<RunSnapshot>> snapshots = new LinkedHashMap<>();
  private Cursor cursor;

  @Override
  public synchronized Optional<Saved> load() {
    return cursor == null ? Optional.empty() : Optional.of(new Saved(cursor, List.copyOf(rows.values())));
  }

  @Override
  public synchronized void save(Cursor at, List<Row> changed) {
    for (Row r : changed) {
      rows.put(r.tenant() + '\u0000' + r.kind() + '\u0000' + r.key(), r);
    }
    cursor = at;
  }

  @Override
  public synchronized void clear() {
    rows.clear();
    snapshots.clear();
    cursor = null;
  }

  @Override
  public synchronized List<RunSnapshot> snapshots(String tenant, String runId) {
    return List.copyOf(snapshots.getOrDefault(tenant + '\u0000' + runId, List.of()));
  }

  @Override
  public synchronized void saveSnapshot(String tenant, String runId, RunSnapshot snapshot) {
    List<RunSnapshot> list = snapshots.computeIfAbsent(tenant + '\u0000' + runId, k -> new ArrayList<>());
    if (list.stream().noneMatch(s -> s.events() == snapshot.events())) {
      list.add(snapshot);
      list.sort(Comparator.comparingLong(RunSnapshot::events));
    }
  }

  @Override
  public void check() {}
}
