package io.agentwatch.bench;

/**
 * The bench's 1 KB events spread over many runs: event {@code seq} of a producer goes to run
 * {@code <runBase>-<(seq + producer) mod runs>}, so each run gets its share at any rate and batch
 * size. Ids are {@code <idPrefix>.<producer>.<seq>}, so each phase needs a prefix of its own.
 */
final class SpreadEnvelopes implements EventBatches {

  private final Envelopes envelopes;
  private final String runBase;
  private final int runs;
  private final java.util.concurrent.atomic.AtomicLongArray made;

  SpreadEnvelopes(String idPrefix, String runBase, int runs) {
    this.envelopes = new Envelopes(idPrefix);
    this.runBase = runBase;
    this.runs = runs;
    this.made = new java.util.concurrent.atomic.AtomicLongArray(runs);
  }

  /** Events made for run {@code index} so far. */
  long made(int index) {
    return made.get(index);
  }

  /** The name of run {@code index} of {@code runId}'s spread. */
  static String run(String runId, int index) {
    return runId + "-" + index;
  }

  @Override
  public String array(int producer, long firstSeq, int count) {
    StringBuilder sb = new StringBuilder(count * (Envelopes.MESSAGE_CHARS + 200) + 2).append('[');
    String ts = java.time.Instant.now().toString();
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      long seq = firstSeq + i;
      int index = (int) Math.floorMod(seq + producer, (long) runs);
      made.incrementAndGet(index);
      envelopes.appendEvent(sb, run(runBase, index), producer, seq, ts, now);
    }
    return sb.append(']').toString();
  }
}
