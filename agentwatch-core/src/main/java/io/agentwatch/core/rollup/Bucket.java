package io.agentwatch.core.rollup;

import java.time.Duration;
import java.time.Instant;

/** The width of a rollup bucket; buckets start at whole minutes or hours of UTC. */
public enum Bucket {
  MINUTE("1m", Duration.ofMinutes(1)),
  HOUR("1h", Duration.ofHours(1));

  private final String label;
  private final Duration width;

  Bucket(String label, Duration width) {
    this.label = label;
    this.width = width;
  }

  /** As written in the metrics API ({@code bucket=1m|1h}). */
  public String label() {
    return label;
  }

  public Duration width() {
    return width;
  }

  /** The start of the bucket holding {@code t}. */
  public Instant start(Instant t) {
    long seconds = width.getSeconds();
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
  }

  /** The bucket written as {@code 1m} or {@code 1h}. */
  public static Bucket of(String label) {
    for (Bucket b : values()) {
      if (b.label.equals(label)) {
        return b;
      }
    }
    throw new IllegalArgumentException("bucket must be 1m or 1h but was '" + label + "'");
  }
}
