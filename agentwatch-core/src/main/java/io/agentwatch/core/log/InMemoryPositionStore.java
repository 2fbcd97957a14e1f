package io.agentwatch.core.log;

import io.agentwatch.model.Cursor;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link PositionStore} in memory, for tests and in-process pipelines. */
public final class InMemoryPositionStore implements PositionStore {

  private final Map<String, Cursor> positions = new ConcurrentHashMap<>();

  @Override
  public Optional<Cursor> load(String reader) {
    return Optional.ofNullable(positions.get(reader));
  }

  @Override
  public void save(String reader, Cursor position) {
    positions.put(reader, position);
  }

  @Override
  public void clear(String reader) {
    positions.remove(reader);
  }

  @Override
  public void check() {}
}
