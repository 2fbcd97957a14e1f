package io.agentwatch.bench;

import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which events of one bench run the server acknowledged, and which the history holds, per
 * producer as bit sets of sequence numbers (a million ids cost about 125 KB, not 100 MB of
 * strings). Thread-safe.
 */
final class IdLedger {

  /** Outcome of comparing the acknowledged events with the stored ones. */
  record Comparison(String runId, long acked, long found, long missing, long unacked, long duplicates,
                    long foreign) {

    /** Every acked event stored exactly once. */
    boolean ok() {
      return missing == 0 && duplicates == 0 && foreign == 0;
    }
  }

  private final String runId;
  private final String prefix;
  private final Map<Integer, BitSet> acked = new TreeMap<>();
  private final Map<Integer, BitSet> seen = new TreeMap<>();
  private long duplicates;
  private long foreign;

  IdLedger(String runId) {
    this.runId = runId;
    this.prefix = runId + ".";
  }

  String runId() {
    return runId;
  }

  /** Marks {@code count} events from {@code firstSeq} as acked, except those in {@code rejected} (batch indexes). */
  synchronized void acked(int producer, long firstSeq, int count, BitSet rejected) {
    BitSet bits = acked.computeIfAbsent(producer, p -> new BitSet());
    for (int i = 0; i < count; i++) {
      if (rejected == null || !rejected.get(i)) {
        bits.set(Math.toIntExact(firstSeq + i));
      }
    }
  }

  synchronized long ackedCount() {
    return acked.values().stream().mapToLong(BitSet::cardinality).sum();
  }

  /** Records an id read back from history. */
  synchronized void seen(String id) {
    int dot = id.lastIndexOf('.');
    int producerDot = dot > 0 ? id.lastIndexOf('.', dot - 1) : -1;
    if (!id.startsWith(prefix) || producerDot != prefix.length() - 1) {
      foreign++;
      return;
    }
    int producer;
    int seq;
    try {
      producer = Integer.parseInt(id, prefix.length(), dot, 10);
      seq = Integer.parseInt(id, dot + 1, id.length(), 10);
    } catch (NumberFormatException e) {
      foreign++;
      return;
    }
    BitSet bits = seen.computeIfAbsent(producer, p -> new BitSet());
    if (bits.get(seq)) {
      duplicates++;
    } else {
      bits.set(seq);
    }
  }

  synchronized Comparison compare() {
    long ackedTotal = 0;
    long found = 0;
    long missing = 0;
    for (Map.Entry<Integer, BitSet> e : acked.entrySet()) {
      BitSet lost = (BitSet) e.getValue().clone();
      BitSet stored = seen.get(e.getKey());
      if (stored != null) {
        lost.andNot(stored);
      }
      ackedTotal += e.getValue().cardinality();
      missing += lost.cardinality();
    }
    long unacked = 0;
    for (Map.Entry<Integer, BitSet> e : seen.entrySet()) {
      found += e.getValue().cardinality();
      BitSet extra = (BitSet) e.getValue().clone();
      BitSet ack = acked.get(e.getKey());
      if (ack != null) {
        extra.andNot(ack);
      }
      unacked += extra.cardinality();
    }
    return new Comparison(runId, ackedTotal, found, missing, unacked, duplicates, foreign);
  }
}
