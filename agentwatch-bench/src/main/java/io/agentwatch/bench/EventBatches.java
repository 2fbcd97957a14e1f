package io.agentwatch.bench;

/**
 * The bodies an {@link HttpIngest} producer POSTs. Each producer numbers its events from 0; a
 * body must be the same for the same arguments apart from the send time it carries, so a run's
 * ledger can account for every event by producer and sequence number.
 */
interface EventBatches {

  /** A JSON array of {@code count} events of {@code producer} with seqs {@code firstSeq..}. */
  String array(int producer, long firstSeq, int count);
}
