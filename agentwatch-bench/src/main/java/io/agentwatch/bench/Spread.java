package io.agentwatch.bench;

import java.util.Collection;
import org.HdrHistogram.Histogram;

/**
 * Percentiles of durations, kept in an HdrHistogram in microseconds (3 significant digits) and
 * shown in milliseconds. What the page measures arrives as milliseconds (fractions allowed);
 * negative values, from clocks read a little apart, count as zero.
 *
 * @param count samples
 */
record Spread(long count, double p50Ms, double p95Ms, double p99Ms, double maxMs) {

  static final Spread NONE = new Spread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** The spread of durations in milliseconds, as numbers the browser returned. */
  static Spread ofMillis(Collection<? extends Number> millis) {
    Histogram micros = Latency.newMicrosHistogram();
    for (Number ms : millis) {
      micros.recordValue(Math.max(0, Math.round(ms.doubleValue() * 1000)));
    }
    return of(micros);
  }

  static Spread of(Histogram micros) {
    if (micros.getTotalCount() == 0) {
      return NONE;
    }
    return new Spread(micros.getTotalCount(),
        micros.getValueAtPercentile(50) / 1000.0,
        micros.getValueAtPercentile(95) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0,
        micros.getMaxValue() / 1000.0);
  }

  /** "p50 / p95 / p99 / max" in ms. */
  String text() {
    if (count == 0) {
      return "—";
    }
    return Report.ms(p50Ms) + " / " + Report.ms(p95Ms) + " / " + Report.ms(p99Ms) + " / " + Report.ms(maxMs);
  }
}
