package io.agentwatch.bench;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of a latency histogram recorded in microseconds, shown in milliseconds.
 *
 * @param count samples
 */
record Latency(long count, double p50Ms, double p99Ms, double maxMs) {

  static final Latency NONE = new Latency(0, Double.NaN, Double.NaN, Double.NaN);

  /** A histogram that records microseconds and grows as needed (3 significant digits). */
  static Histogram newMicrosHistogram() {
    return new Histogram(3);
  }

  static Latency of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return NONE;
    }
    return new Latency(micros.getTotalCount(),
        micros.getValueAtPercentile(50) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0,
        micros.getMaxValue() / 1000.0);
  }

  /** "p50 / p99 / max" in ms. */
  String text() {
    if (count == 0) {
      return "—";
    }
    return Report.ms(p50Ms) + " / " + Report.ms(p99Ms) + " / " + Report.ms(maxMs);
  }
}
