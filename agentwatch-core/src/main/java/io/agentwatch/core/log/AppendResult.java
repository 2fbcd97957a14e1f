package io.agentwatch.core.log;

import io.agentwatch.model.StoredEvent;

/**
 * What happened to one event of an append: stored now, or already stored under the same
 * (tenant, id) before — then nothing was written.
 *
 * @param id     the event's id
 * @param stored the stored event when accepted, null for a duplicate
 */
public record AppendResult(String id, StoredEvent stored) {

  public static AppendResult accepted(StoredEvent stored) {
    return new AppendResult(stored.event().id(), stored);
  }

  public static AppendResult duplicate(String id) {
    return new AppendResult(id, null);
  }

  public boolean isDuplicate() {
    return stored == null;
  }
}
