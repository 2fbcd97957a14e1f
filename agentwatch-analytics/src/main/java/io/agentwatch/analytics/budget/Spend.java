package io.agentwatch.analytics.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * What one subject (an agent, a run, the tenant) spent under one budget: in total, or over a
 * rolling window kept as {@value #SLOTS} slots of window/60 each, so memory stays fixed however
 * many calls come. A call leaves the window with its slot: up to one slot (1/60 of the window)
 * late. Not thread-safe.
 */
final class Spend {

  static final int SLOTS = 60;
  private static final int EVIDENCE = 5;

  private final long slotMillis;
  private final long[] slotIndex;
  private final double[] slotValue;
  private double total;
  /** The last calls that added to it, newest last. */
  final ArrayDeque<String> recent = new ArrayDeque<>(EVIDENCE);

  /** @param window null for a total without window */
  Spend(Duration window) {
    if (window == null) {
      slotMillis = 0;
      slotIndex = null;
      slotValue = null;
    } else {
      slotMillis = Math.max(1, window.toMillis() / SLOTS);
      slotIndex = new long[SLOTS];
      slotValue = new double[SLOTS];
      java.util.Arrays.fill(slotIndex, Long.MIN_VALUE);
    }
  }

  void add(Instant ts, double amount, String eventId) {
    if (eventId != null) {
      if (recent.size() == EVIDENCE) {
        recent.pollFirst();
      }
      recent.addLast(eventId);
    }
    if (slotIndex == null) {
      total += amount;
      return;
    }
    long idx = Math.floorDiv(ts.toEpochMilli(), slotMillis);
    int pos = (int) Math.floorMod(idx, SLOTS);
    if (slotIndex[pos] != idx) {
      if (slotIndex[pos] > idx) {
        // Older than the window this slot now holds: it left the window already.
        return;
      }
      slotIndex[pos] = idx;
      slotValue[pos] = 0;
    }
    slotValue[pos] += amount;
  }

  /** What was spent in the window ending at {@code now} (in total without a window). */
  double at(Instant now) {
    if (slotIndex == null) {
      return total;
    }
    long nowIdx = Math.floorDiv(now.toEpochMilli(), slotMillis);
    double sum = 0;
    for (int i = 0; i < SLOTS; i++) {
      if (slotIndex[i] > nowIdx - SLOTS && slotIndex[i] <= nowIdx) {
        sum += slotValue[i];
      }
    }
    return sum;
  }

  /** When the oldest slot still counted at {@code now} leaves the window, or null without a window. */
  Instant nextExpiry(Instant now) {
    if (slotIndex == null) {
      return null;
    }
    long nowIdx = Math.floorDiv(now.toEpochMilli(), slotMillis);
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < SLOTS; i++) {
      if (slotIndex[i] > nowIdx - SLOTS && slotIndex[i] <= nowIdx && slotValue[i] != 0) {
        oldest = Math.min(oldest, slotIndex[i]);
      }
    }
    return oldest == Long.MAX_VALUE ? null : Instant.ofEpochMilli((oldest + SLOTS) * slotMillis);
  }

  /** Whether nothing counts at {@code now}: the subject can be forgotten. */
  boolean emptyAt(Instant now) {
    return slotIndex != null && at(now) == 0;
  }
}
