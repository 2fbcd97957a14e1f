package io.agentwatch.client;

import java.util.Map;

/**
 * A snapshot of a client's counters.
 *
 * @param buffered      events in the buffer now (queued or awaiting their ack)
 * @param bufferedBytes their size, in UTF-16 characters of their JSON
 * @param emitted       events taken by {@code emit}
 * @param sent          events written to the server, counting every resend
 * @param acked         events the server acknowledged as durable (including duplicates)
 * @param duplicates    of those, events the server already had (a resend after a lost ack)
 * @param rejected      events the server refused for what they are
 * @param refused       emits answered with back-pressure
 * @param droppedByType events evicted from the full buffer, by type
 * @param transport     how the client reaches the server now
 * @param connects      WebSocket connections opened so far
 */
public record ClientStats(int buffered, long bufferedBytes, long emitted, long sent, long acked, long duplicates,
    long rejected, long refused, Map<String, Long> droppedByType, Transport transport, long connects) {

  /** Every evicted event, whatever its type. */
  public long dropped() {
    return droppedByType.values().stream().mapToLong(Long::longValue).sum();
  }
}
