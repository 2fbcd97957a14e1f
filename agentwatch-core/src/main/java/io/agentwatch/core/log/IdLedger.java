package io.agentwatch.core.log;

import java.util.List;
import java.util.Objects;

/**
 * Which (tenant, id) pairs a log has already taken, for logs that cannot refuse a duplicate by
 * themselves (a Kafka topic keeps every record it is sent). The log reserves an event's key before
 * writing it, confirms the key once the write is acknowledged, and releases it when the write
 * failed, so a retried event is written once and reported as a duplicate afterwards.
 *
 * <p>Contract, held by every adapter and checked by {@code IdLedgerContract}:
 * <ul>
 *   <li>{@link #reserve} answers, per key and atomically per key: {@link Claim#CONFIRMED} when the
 *       key was confirmed within the retention window; {@link Claim#PENDING} when another owner
 *       holds a reservation younger than the reservation time-to-live; otherwise
 *       {@link Claim#RESERVED}: the key is now reserved by the caller. A reservation that outlived
 *       its time-to-live is stale and is taken over, never reported as confirmed: its owner may have
 *       died before (or after) writing, and only a confirmed key is known to be in the log.
 *       Reserving a key the same owner already holds renews it.</li>
 *   <li>{@link #confirm} records that the keys are in the log, whoever reserved them; the ledger
 *       remembers them for its retention window.</li>
 *   <li>{@link #release} forgets the caller's own reservations of the keys; confirmed keys and
 *       other owners' reservations are left alone.</li>
 * </ul>
 * Keys of one call are distinct. Thread-safe; may block on I/O; throws
 * {@link UnavailableException} when it cannot answer.
 */
public interface IdLedger extends AutoCloseable {

  /** One event's identity: ids are unique per tenant. */
  record Key(String tenant, String id) {
    public Key {
      Objects.requireNonNull(tenant, "tenant");
      Objects.requireNonNull(id, "id");
    }
  }

  /** What {@link #reserve} found for a key. */
  enum Claim {
    /** The caller now holds the key and must write the event, then confirm or release it. */
    RESERVED,
    /** The event is in the log: a duplicate. */
    CONFIRMED,
    /** Another writer holds a fresh reservation: its outcome is not known yet. */
    PENDING
  }

  /**
   * Reserves {@code keys} for {@code owner}; one claim per key, in the given order.
   *
   * @param owner names the reserving writer (unique per writer and write, at most 64 characters)
   */
  List<Claim> reserve(String owner, List<Key> keys);

  /** Records that the events of {@code keys} are in the log. */
  void confirm(List<Key> keys);

  /** Gives up {@code owner}'s reservations of {@code keys}: their events were not written. */
  void release(String owner, List<Key> keys);

  /** Throws when the ledger cannot answer (used by health checks); does nothing when it can. */
  void check();

  @Override
  void close();
}
