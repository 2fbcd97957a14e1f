package io.agentwatch.core.store;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import java.time.Instant;
import java.util.Objects;

/**
 * A history query: events matching {@code filter} whose producer time {@code ts} lies in
 * [{@code from}, {@code to}) (either bound may be null), not covered by {@code after}, at most
 * {@code limit} of them, in log order.
 */
public record EventQuery(EventFilter filter, Instant from, Instant to, Cursor after, int limit) {

  public static final int MAX_LIMIT = 1000;

  public EventQuery {
    Objects.requireNonNull(filter, "filter");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + " but was " + limit);
    }
    if (from != null && to != null && !from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to but was from=" + from + " to=" + to);
    }
  }

  /** Whether the producer time lies inside [from, to). */
  public boolean inTimeRange(Instant ts) {
    return (from == null || !ts.isBefore(from)) && (to == null || ts.isBefore(to));
  }
}
