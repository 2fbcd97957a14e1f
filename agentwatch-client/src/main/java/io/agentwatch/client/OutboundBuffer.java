package io.agentwatch.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events a client has accepted but the server has not yet acknowledged as durable, bounded by
 * a count and a byte size.
 *
 * <p>Each event gets a sequence number when it is offered; batches are always taken from the lowest
 * queued numbers, and an event that goes back to the queue (its publish failed or the connection
 * dropped) takes its old place, so the events of one agent leave in the order they were emitted
 * however often they are retried. An event leaves the buffer only when the server acknowledged it
 * (stored or duplicate), rejected it, or it was evicted.
 *
 * <p>Overflow policy, when an offered event does not fit:
 * <ol>
 *   <li>Evict the oldest queued event of the lowest {@link Priority} present, but only of a class at
 *       or below the offered event's own and never {@link Priority#CRITICAL}: a heartbeat never
 *       pushes out a task event, and a task event never pushes out another task event.</li>
 *   <li>Repeat until the event fits. If nothing more may be evicted, the offered event is refused
 *       (back-pressure) and the buffer is left exactly as it was.</li>
 * </ol>
 * Events already sent and awaiting their acknowledgement are never evicted. Thread-safe; the
 * futures of evicted events are completed by the caller, outside the lock.
 */
final class OutboundBuffer {

  /** One buffered event in its wire form. */
  static final class Entry {
    final String id;
    final String type;
    final Priority priority;
    final String json;
    final int bytes;
    final CompletableFuture<Void> stored = new CompletableFuture<>();
    long seq;

    Entry(String id, String type, Priority priority, String json) {
      this.id = id;
      this.type = type;
      this.priority = priority;
      this.json = json;
      // UTF-16 length is a cheap bound on what the entry costs in memory; the wire size is close.
      this.bytes = json.length();
    }

    @Override
    public String toString() {
      return type + " " + id;
    }
  }

  /** What became of an offer: accepted or not, and which events were evicted to make room. */
  record Offer(boolean accepted, List<Entry> evicted) {}

  private final int maxEvents;
  private final long maxBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final TreeMap<Long, Entry> queued = new TreeMap<>();
  private final EnumMap<Priority, TreeMap<Long, Entry>> queuedByPriority = new EnumMap<>(Priority.class);
  private final TreeMap<Long, Entry> inFlight = new TreeMap<>();
  private long nextSeq;
  private long bytes;
  private long sent;
  private long acked;
  private long duplicates;
  private long rejected;
  private long refused;
  private final Map<String, Long> droppedByType = new LinkedHashMap<>();

  OutboundBuffer(int maxEvents, long maxBytes) {
    if (maxEvents < 1) {
      throw new IllegalArgumentException("maxEvents must be >= 1 but was " + maxEvents);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1 but was " + maxBytes);
    }
    this.maxEvents = maxEvents;
    this.maxBytes = maxBytes;
    for (Priority p : Priority.values()) {
      queuedByPriority.put(p, new TreeMap<>());
    }
  }

  /** Adds {@code entry} at the end, evicting lower-priority events if needed (see the class policy). */
  Offer offer(Entry entry) {
    lock.lock();
    try {
      List<Entry> evicted = new ArrayList<>();
      while (!fits(entry)) {
        Entry victim = entry.bytes > maxBytes ? null : victimFor(entry.priority);
        if (victim == null) {
          // Put back what was evicted: a refused offer changes nothing.
          for (Entry e : evicted) {
            enqueue(e);
            bytes += e.bytes;
          }
          refused++;
          return new Offer(false, List.of());
        }
        dequeue(victim);
        bytes -= victim.bytes;
        evicted.add(victim);
      }
      for (Entry e : evicted) {
        droppedByType.merge(e.type, 1L, Long::sum);
      }
      entry.seq = nextSeq++;
      enqueue(entry);
      bytes += entry.bytes;
      changed.signalAll();
      return new Offer(true, evicted);
    } finally {
      lock.unlock();
    }
  }

  private boolean fits(Entry entry) {
    return queued.size() + inFlight.size() < maxEvents && bytes + entry.bytes <= maxBytes;
  }

  private Entry victimFor(Priority offered) {
    for (Priority p : Priority.values()) {
      if (p == Priority.CRITICAL || p.compareTo(offered) > 0) {
        return null;
      }
      Map.Entry<Long, Entry> oldest = queuedByPriority.get(p).firstEntry();
      if (oldest != null) {
        return oldest.getValue();
      }
    }
    return null;
  }

  private void enqueue(Entry e) {
    queued.put(e.seq, e);
    queuedByPriority.get(e.priority).put(e.seq, e);
  }

  private void dequeue(Entry e) {
    queued.remove(e.seq);
    queuedByPriority.get(e.priority).remove(e.seq);
  }

  /**
   * Takes the oldest queued events, at most {@code maxCount} of them and {@code maxBatchBytes}
   * together (but always at least one), and marks them in flight. Waits up to {@code wait} for a
   * first event and then up to {@code linger} for the batch to fill; empty if none came.
   */
  List<Entry> take(int maxCount, long maxBatchBytes, Duration wait, Duration linger) throws InterruptedException {
    lock.lock();
    try {
      long waitNanos = wait.toNanos();
      while (queued.isEmpty()) {
        if (waitNanos <= 0) {
          return List.of();
        }
        waitNanos = changed.awaitNanos(waitNanos);
      }
      long lingerNanos = linger.toNanos();
      while (queued.size() < maxCount && lingerNanos > 0) {
        lingerNanos = changed.awaitNanos(lingerNanos);
      }
      List<Entry> batch = new ArrayList<>(Math.min(maxCount, queued.size()));
      long batchBytes = 0;
      Iterator<Entry> it = queued.values().iterator();
      while (it.hasNext() && batch.size() < maxCount) {
        Entry e = it.next();
        if (!batch.isEmpty() && batchBytes + e.bytes > maxBatchBytes) {
          break;
        }
        it.remove();
        queuedByPriority.get(e.priority).remove(e.seq);
        inFlight.put(e.seq, e);
        batch.add(e);
        batchBytes += e.bytes;
      }
      sent += batch.size();
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Settles a batch that was in flight: events whose index is in {@code rejectedIndexes} leave as
   * rejected, those in {@code ackedIds} leave as acknowledged, and any other goes back to its place
   * in the queue.
   *
   * @return the entries that went back to the queue
   */
  List<Entry> settle(List<Entry> batch, Set<String> ackedIds, Collection<Integer> rejectedIndexes) {
    List<Entry> requeued = new ArrayList<>();
    lock.lock();
    try {
      for (int i = 0; i < batch.size(); i++) {
        Entry e = batch.get(i);
        if (inFlight.remove(e.seq) == null) {
          continue;
        }
        if (rejectedIndexes.contains(i)) {
          bytes -= e.bytes;
          rejected++;
        } else if (ackedIds.contains(e.id)) {
          bytes -= e.bytes;
          acked++;
        } else {
          enqueue(e);
          requeued.add(e);
        }
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    return requeued;
  }

  /** Counts events the server said it already had. */
  void countDuplicates(int count) {
    lock.lock();
    try {
      duplicates += count;
    } finally {
      lock.unlock();
    }
  }

  /** Puts every event of a failed batch back to its place in the queue. */
  void requeue(List<Entry> batch) {
    settle(batch, Set.of(), List.of());
  }

  /** The sequence number the next offered event will get: {@link #awaitSettled} waits for those before it. */
  long mark() {
    lock.lock();
    try {
      return nextSeq;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every event offered before {@code mark} left the buffer; false on timeout. */
  boolean awaitSettled(long mark, Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long nanos = timeout.toNanos();
      while (oldestSeq() < mark) {
        if (nanos <= 0) {
          return false;
        }
        nanos = changed.awaitNanos(nanos);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private long oldestSeq() {
    long oldest = Long.MAX_VALUE;
    if (!queued.isEmpty()) {
      oldest = queued.firstKey();
    }
    if (!inFlight.isEmpty()) {
      oldest = Math.min(oldest, inFlight.firstKey());
    }
    return oldest;
  }

  /** Removes every event, queued or in flight (the client gave up on them at close); returns them in order. */
  List<Entry> abandonAll() {
    lock.lock();
    try {
      List<Entry> all = new ArrayList<>(queued.values());
      all.addAll(inFlight.values());
      all.sort((a, b) -> Long.compare(a.seq, b.seq));
      queued.clear();
      inFlight.clear();
      queuedByPriority.values().forEach(TreeMap::clear);
      bytes = 0;
      changed.signalAll();
      return all;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes a thread waiting in {@link #take}. */
  void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  Counts counts() {
    lock.lock();
    try {
      return new Counts(queued.size() + inFlight.size(), bytes, sent, acked, duplicates, rejected, refused,
          Map.copyOf(droppedByType));
    } finally {
      lock.unlock();
    }
  }

  /** A consistent snapshot of the buffer's counters. */
  record Counts(int buffered, long bufferedBytes, long sent, long acked, long duplicates, long rejected,
      long refused, Map<String, Long> droppedByType) {}
}
