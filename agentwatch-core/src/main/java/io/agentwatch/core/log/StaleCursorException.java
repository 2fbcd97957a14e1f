package io.agentwatch.core.log;

import io.agentwatch.model.Cursor;

/**
 * A well-formed cursor that this log did not make: from a wiped data folder or another store, or
 * pointing past the head (a data folder restored from an older backup).
 * Streams answer it with a {@code reset} notice carrying {@link #head()}; history answers 410.
 */
public final class StaleCursorException extends RuntimeException {

  private final transient Cursor head;

  public StaleCursorException(Cursor cursor, Cursor head) {
    super(cursor.storeId().equals(head.storeId())
        ? "cursor " + cursor + " points past the end of this store (" + head + "); reload state and continue from there"
        : "cursor " + cursor + " belongs to store " + cursor.storeId() + ", not to this store " + head.storeId()
            + "; reload state and continue from " + head);
    this.head = head;
  }

  public Cursor head() {
    return head;
  }
}
