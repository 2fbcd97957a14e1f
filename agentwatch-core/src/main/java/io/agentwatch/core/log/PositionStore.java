package io.agentwatch.core.log;

import io.agentwatch.model.Cursor;
import java.util.Optional;

/**
 * Where a pipeline reader that follows the whole log (the analytics, for one) keeps its position
 * between restarts, under its own name.
 *
 * <p>Contract (checked by {@code PositionStoreContract}): {@link #load} returns the cursor last
 * saved under that name, or empty; names do not see each other's positions; a save replaces the
 * previous one atomically. A save may be lost in a crash (the reader then re-reads a little of the
 * log), so readers must tolerate seeing events again. Thread-safe; may block on I/O.
 */
public interface PositionStore {

  Optional<Cursor> load(String reader);

  void save(String reader, Cursor position);

  /** Forgets the reader's position: it starts again from the beginning of the log. */
  void clear(String reader);

  /** Throws when the store cannot serve. */
  void check();
}
