package io.agentwatch.core.store;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.util.List;

/**
 * One page of history. {@code next} resumes after the last event of this page and is null when
 * no further matching event existed at the time of the query.
 */
public record EventPage(List<StoredEvent> events, Cursor next) {

  public EventPage {
    events = List.copyOf(events);
  }
}
