package io.agentwatch.core.stream;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Hands every appended event to the live subscribers of its tenant whose filter matches it.
 *
 * <p>It runs on the log's notifier thread and never blocks there: each subscriber has its own
 * bounded {@link SubscriberQueue}, so a slow subscriber fills only its own queue (and gets a
 * {@code gap}), while ingest and every other subscriber go on at full speed.
 */
public final class Fanout implements Consumer<List<StoredEvent>>, AutoCloseable {

  /** Default bound of a subscriber's queue, in events. */
  public static final int DEFAULT_QUEUE_CAPACITY = 4096;
  static final int REPLAY_PAGE = 500;

  private final EventLog log;
  private final int queueCapacity;
  private final PipelineMetrics metrics;
  private final Clock clock;
  private final Map<String, CopyOnWriteArrayList<Subscription>> byTenant = new ConcurrentHashMap<>();
  private AutoCloseable tail;

  public Fanout(EventLog log, int queueCapacity, PipelineMetrics metrics, Clock clock) {
    this.log = log;
    this.queueCapacity = queueCapacity;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Starts listening to the log; call once. */
  public synchronized Fanout start() {
    if (tail == null) {
      tail = log.tail(this);
    }
    return this;
  }

  /**
   * A subscription of {@code tenant} to events matching {@code filter}: replay from {@code after}
   * (null: live only, from now) then live. A cursor of another store yields a
   * {@link Delivery.Reset} first.
   */
  public Subscription subscribe(String tenant, EventFilter filter, Cursor after) {
    Subscription s = new Subscription(this, log, tenant, filter, queueCapacity, REPLAY_PAGE, metrics, clock);
    byTenant.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>()).add(s);
    s.start(after);
    return s;
  }

  @Override
  public void accept(List<StoredEvent> appended) {
    for (StoredEvent event : appended) {
      List<Subscription> subs = byTenant.get(event.tenant());
      if (subs != null) {
        for (Subscription s : subs) {
          s.offer(event);
        }
      }
    }
  }

  void remove(Subscription s) {
    List<Subscription> subs = byTenant.get(s.tenant());
    if (subs != null) {
      subs.remove(s);
    }
  }

  public int subscribers() {
    return byTenant.values().stream().mapToInt(List::size).sum();
  }

  /** Events waiting in all subscriber queues. */
  public long queued() {
    return byTenant.values().stream().flatMap(List::stream).mapToLong(Subscription::queued).sum();
  }

  /** Ends every subscription with a resumable {@code gap} notice of the given reason. */
  public void endAll(String reason) {
    byTenant.values().forEach(subs -> subs.forEach(s -> s.end(reason)));
  }

  @Override
  public synchronized void close() {
    endAll("shutdown");
    if (tail != null) {
      try {
        tail.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot stop listening to the log", e);
      }
      tail = null;
    }
  }
}
