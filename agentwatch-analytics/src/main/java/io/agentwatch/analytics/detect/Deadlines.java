package io.agentwatch.analytics.detect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One deadline per key, fired in (deadline, arming order) order once event time passes it.
 * Replacing or cancelling a deadline leaves its old queue entry behind, skipped when it surfaces.
 * Not thread-safe.
 *
 * @param <K> the key type
 */
public final class Deadlines<K> {

  private record Entry<K>(K key, Instant at, long seq) {}

  /** A deadline that passed: its key and when it was due. */
  public record Due<K>(K key, Instant at) {}

  private final Map<K, Entry<K>> current = new HashMap<>();
  private final PriorityQueue<Entry<K>> queue = new PriorityQueue<>(
      (a, b) -> a.at.equals(b.at) ? Long.compare(a.seq, b.seq) : a.at.compareTo(b.at));
  private long seq;

  public void set(K key, Instant at) {
    Entry<K> e = new Entry<>(key, at, seq++);
    current.put(key, e);
    queue.add(e);
    // Deadlines re-armed on every event leave replaced entries behind: drop them now and then.
    if (queue.size() > 64 && queue.size() > 4 * current.size()) {
      queue.clear();
      queue.addAll(current.values());
    }
  }

  public void cancel(K key) {
    current.remove(key);
  }

  public Instant get(K key) {
    Entry<K> e = current.get(key);
    return e == null ? null : e.at;
  }

  public boolean isSet(K key) {
    return current.containsKey(key);
  }

  /** Removes and returns the deadlines strictly before {@code now}, earliest first. */
  public List<Due<K>> due(Instant now) {
    List<Due<K>> due = null;
    while (!queue.isEmpty() && queue.peek().at.isBefore(now)) {
      Entry<K> e = queue.poll();
      if (current.get(e.key) == e) {
        current.remove(e.key);
        if (due == null) {
          due = new ArrayList<>();
        }
        due.add(new Due<>(e.key, e.at));
      }
    }
    return due == null ? List.of() : due;
  }
}
