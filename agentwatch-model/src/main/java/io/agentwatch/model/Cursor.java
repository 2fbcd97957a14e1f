package io.agentwatch.model;

import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A position in an event log, opaque to clients.
 *
 * <p>A cursor names the store it came from ({@link #storeId()}), so a cursor from a wiped or
 * different store is recognised instead of silently skipping or repeating events, and holds one
 * position per log partition: the embedded log has one partition, a Kafka log one per topic
 * partition. A position is the offset of the last event covered in that partition, or -1 when no
 * event of that partition is covered yet. "After cursor C" means every event not covered by C.
 *
 * <p>Text form: {@code aw1.<storeId>.<p0>-<p1>-…} where each {@code p} is {@code offset + 1} in
 * base 36. Clients must treat it as opaque.
 */
public final class Cursor {

  private static final String PREFIX = "aw1.";
  private static final int MAX_PARTITIONS = 4096;
  /** Lower-case base 36 only: {@link Long#parseLong} would also take '+', upper case and non-ASCII digits. */
  private static final Pattern POSITION = Pattern.compile("[0-9a-z]{1,13}");
  /** The text form holds {@code offset + 1}, so the largest offset is one less than the largest long. */
  private static final long MAX_OFFSET = Long.MAX_VALUE - 1;

  private final String storeId;
  private final long[] positions;
  private String text;

  private Cursor(String storeId, long[] positions) {
    this.storeId = storeId;
    this.positions = positions;
  }

  /** A cursor before every event of a store with the given number of partitions. */
  public static Cursor beginning(String storeId, int partitions) {
    requireStoreId(storeId);
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException("partitions must be 1.." + MAX_PARTITIONS + " but was " + partitions);
    }
    long[] positions = new long[partitions];
    Arrays.fill(positions, -1);
    return new Cursor(storeId, positions);
  }

  /** A single-partition cursor covering every event up to and including {@code offset}. */
  public static Cursor at(String storeId, long offset) {
    requireStoreId(storeId);
    requireOffset(offset);
    return new Cursor(storeId, new long[] {offset});
  }

  /**
   * Parses the text form.
   *
   * @throws MalformedCursorException if {@code text} is not a cursor of any store
   */
  public static Cursor parse(String text) {
    if (text == null || !text.startsWith(PREFIX) || text.length() > 64 * 1024) {
      throw new MalformedCursorException(text);
    }
    int dot = text.indexOf('.', PREFIX.length());
    if (dot < 0) {
      throw new MalformedCursorException(text);
    }
    String storeId = text.substring(PREFIX.length(), dot);
    String[] parts = text.substring(dot + 1).split("-", -1);
    if (!isStoreId(storeId) || parts.length > MAX_PARTITIONS) {
      throw new MalformedCursorException(text);
    }
    long[] positions = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (!POSITION.matcher(parts[i]).matches()) {
        throw new MalformedCursorException(text);
      }
      try {
        positions[i] = Long.parseLong(parts[i], 36) - 1;
      } catch (NumberFormatException e) {
        throw new MalformedCursorException(text);
      }
    }
    return new Cursor(storeId, positions);
  }

  private static void requireStoreId(String storeId) {
    if (!isStoreId(storeId)) {
      throw new IllegalArgumentException("storeId must be 1-32 letters or digits but was " + storeId);
    }
  }

  /** 1-32 ASCII letters or digits; a loop, not a regex, because logs make a cursor per event. */
  private static boolean isStoreId(String s) {
    if (s == null || s.isEmpty() || s.length() > 32) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static void requireOffset(long offset) {
    if (offset < -1 || offset > MAX_OFFSET) {
      throw new IllegalArgumentException("offset must be -1.." + MAX_OFFSET + " but was " + offset);
    }
  }

  public String storeId() {
    return storeId;
  }

  public int partitions() {
    return positions.length;
  }

  /** The offset of the last covered event in {@code partition}, or -1. */
  public long position(int partition) {
    return partition < positions.length ? positions[partition] : -1;
  }

  /** Whether the event at {@code offset} of {@code partition} is at or before this cursor. */
  public boolean covers(int partition, long offset) {
    return offset <= position(partition);
  }

  /** This cursor moved forward to cover {@code offset} in {@code partition}; never moves back. */
  public Cursor advance(int partition, long offset) {
    if (covers(partition, offset)) {
      return this;
    }
    requireOffset(offset);
    long[] next = Arrays.copyOf(positions, Math.max(positions.length, partition + 1));
    for (int i = positions.length; i < next.length; i++) {
      next[i] = -1;
    }
    next[partition] = offset;
    return new Cursor(storeId, next);
  }

  /** Whether this cursor covers everything {@code other} covers. */
  public boolean coversAll(Cursor other) {
    for (int p = 0; p < other.positions.length; p++) {
      if (!covers(p, other.positions[p])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether this cursor is of another store than {@code head} or points past it in some partition:
   * either way it was not made by the log whose head that is (a wiped or restored data folder).
   */
  public boolean isStaleFor(Cursor head) {
    if (!storeId.equals(head.storeId)) {
      return true;
    }
    for (int p = 0; p < positions.length; p++) {
      if (positions[p] > head.position(p)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      StringBuilder sb = new StringBuilder(PREFIX).append(storeId).append('.');
      for (int i = 0; i < positions.length; i++) {
        if (i > 0) {
          sb.append('-');
        }
        sb.append(Long.toString(positions[i] + 1, 36));
      }
      t = sb.toString();
      text = t;
    }
    return t;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cursor c && storeId.equals(c.storeId) && Arrays.equals(positions, c.positions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(storeId, Arrays.hashCode(positions));
  }
}
