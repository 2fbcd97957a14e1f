package io.agentwatch.core.rollup;

import java.time.Instant;
import java.util.Objects;

/**
 * Which rollups to read: one tenant's buckets of the given width whose start lies in
 * [{@code from}, {@code to}), summed over every run and agent unless {@code runId} or
 * {@code agentId} narrow it (null: no restriction).
 */
public record RollupQuery(String runId, String agentId, Bucket bucket, Instant from, Instant to) {

  public RollupQuery {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from must be before to but was from=" + from + " to=" + to);
    }
  }
}
