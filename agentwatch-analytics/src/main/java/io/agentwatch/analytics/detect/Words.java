package io.agentwatch.analytics.detect;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Small helpers that make alert messages read like sentences. */
final class Words {

  private Words() {}

  /** {@code 1h5m}, {@code 5m}, {@code 1m30s}, {@code 10s}, {@code 250ms}. */
  static String duration(Duration d) {
    if (d.toMillis() < 1000) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
    }
    if (s % 3600 >= 60) {
      sb.append(s % 3600 / 60).append('m');
    }
    if (s % 60 > 0 || sb.isEmpty()) {
      sb.append(s % 60).append('s');
    }
    return sb.toString();
  }

  /** "run r-1" or "no run" for events outside runs. */
  static String run(String runKey) {
    return runKey.isEmpty() ? "no run" : "run " + runKey;
  }

  /** "In run r-1" or "Outside any run", to start a sentence. */
  static String inRun(String runKey) {
    return runKey.isEmpty() ? "Outside any run" : "In run " + runKey;
  }

  /** {@code a, b and 3 more} for long lists. */
  static String list(List<String> items, int max) {
    if (items.size() <= max) {
      return String.join(", ", items);
    }
    return String.join(", ", items.subList(0, max)) + " and " + (items.size() - max) + " more";
  }

  static String number(double value) {
    return Math.abs(value) >= 100 || value == Math.rint(value)
        ? String.format(Locale.ROOT, "%.0f", value)
        : String.format(Locale.ROOT, "%.3g", value);
  }

  /** Validation helper for config records: {@code name must be positive but was X}. */
  static Duration positive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration but was " + d);
    }
    return d;
  }

  static int atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + " but was " + value);
    }
    return value;
  }
}
