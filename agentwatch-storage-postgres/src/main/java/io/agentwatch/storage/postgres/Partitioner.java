package io.agentwatch.storage.postgres;

import io.agentwatch.model.Event;

/**
 * Which log partition an event belongs to: by its run, or by its agent when it has no run (as a
 * Kafka topic would be keyed), within its tenant. So all events of a run share one partition,
 * which keeps a run's order and lets a read by run scan one partition only.
 */
final class Partitioner {

  private final int partitions;
  private final boolean known;

  Partitioner(int partitions) {
    this(partitions, true);
  }

  private Partitioner(int partitions, boolean known) {
    this.partitions = partitions;
    this.known = known;
  }

  /** The partitions of another log (Kafka's), whose keys this class cannot place. */
  static Partitioner unknown(int partitions) {
    return new Partitioner(partitions, false);
  }

  /** Whether {@link #of} says where an event is (else a read by run scans every partition). */
  boolean knowsPlacement() {
    return known;
  }

  int of(String tenant, Event e) {
    return of(tenant, e.runId() != null ? e.runId() : e.agentId());
  }

  /** The partition of the events of {@code tenant} keyed {@code key} (a run id, else an agent id). */
  int of(String tenant, String key) {
    int h = tenant.hashCode() * 31 + key.hashCode();
    // murmur3's finalizer: String.hashCode alone differs only in its low bits for similar keys.
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return Math.floorMod(h, partitions);
  }

  int count() {
    return partitions;
  }
}
