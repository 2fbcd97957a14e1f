package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The live events a subscription has been offered and not yet handed to its sink, bounded in
 * count. Not thread-safe: its {@link Subscription} guards it.
 *
 * <p>Without conflation every event is its own entry. With conflation (an explicit subscription
 * option), a metric-like event (heartbeat, metric) replaces the queued one of the same series and
 * moves to the tail, so a reader that is behind sees the latest value of each series; order stays
 * the log's order. Storage is allocated on first use, so an idle subscription costs nothing here.
 */
final class LiveQueue {

  enum Offer { QUEUED, CONFLATED, FULL }

  private final int capacity;
  private final boolean conflate;
  private ArrayDeque<StoredEvent> plain;
  private LinkedHashMap<Object, StoredEvent> keyed;

  LiveQueue(int capacity, boolean conflate) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1 but was " + capacity);
    }
    this.capacity = capacity;
    this.conflate = conflate;
  }

  /** Queues {@code event}; {@link Offer#FULL} when it does not fit (nothing is queued then). */
  Offer add(StoredEvent event) {
    if (!conflate) {
      if (plain == null) {
        plain = new ArrayDeque<>();
      }
      if (plain.size() >= capacity) {
        return Offer.FULL;
      }
      plain.add(event);
      return Offer.QUEUED;
    }
    if (keyed == null) {
      keyed = new LinkedHashMap<>();
    }
    Object key = conflationKey(event);
    if (key != event && keyed.remove(key) != null) {
      keyed.put(key, event);
      return Offer.CONFLATED;
    }
    if (keyed.size() >= capacity) {
      return Offer.FULL;
    }
    keyed.put(key, event);
    return Offer.QUEUED;
  }

  /** Removes and returns up to {@code max} of the oldest events. */
  List<StoredEvent> take(int max) {
    int n = Math.min(max, size());
    List<StoredEvent> out = new ArrayList<>(n);
    if (plain != null) {
      for (int i = 0; i < n; i++) {
        out.add(plain.poll());
      }
    } else if (keyed != null) {
      Iterator<Map.Entry<Object, StoredEvent>> it = keyed.entrySet().iterator();
      for (int i = 0; i < n; i++) {
        out.add(it.next().getValue());
        it.remove();
      }
    }
    return out;
  }

  /** Drops the queued events that {@code position} covers (they were delivered another way). */
  void removeCovered(Cursor position) {
    if (plain != null) {
      plain.removeIf(e -> position.covers(e.partition(), e.offset()));
    } else if (keyed != null) {
      keyed.values().removeIf(e -> position.covers(e.partition(), e.offset()));
    }
  }

  /** Empties the queue and gives its storage back. */
  void clear() {
    plain = null;
    keyed = null;
  }

  boolean isEmpty() {
    return size() == 0;
  }

  int size() {
    return plain != null ? plain.size() : keyed != null ? keyed.size() : 0;
  }

  /**
   * Metric-like events conflate per (agent, run, series); everything else is its own key. Only
   * the latest value of a series matters to a live view, and history keeps every value anyway.
   */
  static Object conflationKey(StoredEvent stored) {
    var event = stored.event();
    return switch (event.type()) {
      case "agent.heartbeat" -> new SeriesKey(event.agentId(), event.runId(), "agent.heartbeat");
      case "metric" -> {
        var name = event.data().get("name");
        yield name != null && name.isString()
            ? new SeriesKey(event.agentId(), event.runId(), "metric:" + name.stringValue())
            : stored;
      }
      default -> stored;
    };
  }

  private record SeriesKey(String agentId, String runId, String series) {}
}
