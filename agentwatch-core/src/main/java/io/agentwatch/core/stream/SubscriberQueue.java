package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the log's notifier (producer) and one subscriber's connection
 * (consumer).
 *
 * <p>Policy when the subscriber is slow: a metric-like event (heartbeat, metric) replaces the
 * queued one with the same key and moves to the tail, so order stays the log's order; any other
 * event that finds the queue full marks it overflowed, and from then on events are dropped
 * until {@link #reset()}. The consumer drains what is queued and then turns the overflow into a
 * {@code gap} notice. Offering never blocks.
 */
final class SubscriberQueue {

  enum Offer { QUEUED, CONFLATED, DROPPED }

  private final int capacity;
  private final LinkedHashMap<Object, StoredEvent> items = new LinkedHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private boolean overflowed;
  private boolean closed;

  SubscriberQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1 but was " + capacity);
    }
    this.capacity = capacity;
  }

  Offer offer(StoredEvent event) {
    Object key = conflationKey(event);
    lock.lock();
    try {
      if (overflowed || closed) {
        return Offer.DROPPED;
      }
      Offer result = Offer.QUEUED;
      if (key != event && items.remove(key) != null) {
        result = Offer.CONFLATED;
      } else if (items.size() >= capacity) {
        overflowed = true;
        changed.signalAll();
        return Offer.DROPPED;
      }
      items.put(key, event);
      changed.signalAll();
      return result;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The oldest queued event; waits up to {@code timeout} for one. Returns null on timeout, and at
   * once when the queue is empty and overflowed or closed.
   */
  StoredEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
    long nanos = unit.toNanos(timeout);
    lock.lock();
    try {
      while (items.isEmpty()) {
        if (overflowed || closed || nanos <= 0) {
          return null;
        }
        nanos = changed.awaitNanos(nanos);
      }
      Iterator<Map.Entry<Object, StoredEvent>> first = items.entrySet().iterator();
      StoredEvent event = first.next().getValue();
      first.remove();
      return event;
    } finally {
      lock.unlock();
    }
  }

  boolean overflowed() {
    lock.lock();
    try {
      return overflowed;
    } finally {
      lock.unlock();
    }
  }

  /** Empties the queue and clears the overflow: the consumer re-reads from the log instead. */
  void reset() {
    lock.lock();
    try {
      items.clear();
      overflowed = false;
    } finally {
      lock.unlock();
    }
  }

  /** Removes the queued events that {@code position} covers (the consumer has them already). */
  void removeCovered(Cursor position) {
    lock.lock();
    try {
      items.values().removeIf(e -> position.covers(e.partition(), e.offset()));
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the consumer and refuses further events. */
  void close() {
    lock.lock();
    try {
      closed = true;
      items.clear();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return items.size();
    } finally {
      lock.unlock();
    }
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
