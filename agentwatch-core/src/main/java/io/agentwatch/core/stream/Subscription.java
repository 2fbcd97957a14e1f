package io.agentwatch.core.stream;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One reader's view of the log: first the stored events after its cursor (replay), then live
 * events as they are appended, with no gap and no duplicate at the switch-over.
 *
 * <p>How: the subscription is registered for live events <em>before</em> replay starts, so every
 * event is either read from the log or queued live (or both); an event whose position the
 * subscription already covers is skipped. During replay the live queue may overflow harmlessly:
 * whatever it dropped is in the log, so replay simply reads on. Once live, an overflow ends the
 * subscription with a {@link Delivery.Gap} at the last delivered position.
 *
 * <p>One consumer thread calls {@link #next}; {@link #end} may be called from any thread.
 */
public final class Subscription implements AutoCloseable {

  private enum Phase { REPLAY, LIVE, ENDED }

  private final Fanout fanout;
  private final EventLog log;
  private final String tenant;
  private final EventFilter filter;
  private final SubscriberQueue queue;
  private final int replayPage;
  private final PipelineMetrics metrics;
  private final Clock clock;
  private final ArrayDeque<StoredEvent> replayed = new ArrayDeque<>();

  private Phase phase;
  /** Written by the consumer only; volatile so {@link #offer} can skip what was delivered already. */
  private volatile Cursor position;
  private Delivery pending;
  private volatile String endReason;
  private volatile boolean closed;

  Subscription(Fanout fanout, EventLog log, String tenant, EventFilter filter, int capacity, int replayPage,
      PipelineMetrics metrics, Clock clock) {
    this.fanout = fanout;
    this.log = log;
    this.tenant = tenant;
    this.filter = filter;
    this.queue = new SubscriberQueue(capacity);
    this.replayPage = replayPage;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Called once by {@link Fanout} after registration. */
  void start(Cursor after) {
    Cursor head = log.head();
    if (after == null) {
      position = head;
      phase = Phase.LIVE;
    } else if (after.isStaleFor(head)) {
      position = head;
      pending = new Delivery.Reset(position);
      phase = Phase.LIVE;
    } else {
      position = after;
      phase = Phase.REPLAY;
    }
  }

  public String tenant() {
    return tenant;
  }

  public EventFilter filter() {
    return filter;
  }

  /** The position after the last delivered event. */
  public Cursor position() {
    return position;
  }

  public boolean isOpen() {
    return !closed && phase != Phase.ENDED;
  }

  /**
   * The next thing to send: an event, or a final {@code gap} or a {@code reset}; null when nothing
   * arrived within {@code timeout} (send a heartbeat) or when the subscription has ended.
   */
  public Delivery next(Duration timeout) throws InterruptedException {
    if (closed) {
      return null;
    }
    if (pending != null) {
      Delivery d = pending;
      pending = null;
      return d;
    }
    while (phase == Phase.REPLAY) {
      if (closed) {
        return null;
      }
      String reason = endReason;
      if (reason != null) {
        return finish(reason);
      }
      StoredEvent event = replayed.poll();
      if (event != null) {
        position = position.advance(event.partition(), event.offset());
        return new Delivery.Item(event, position);
      }
      List<StoredEvent> page = log.read(tenant, position, filter, replayPage);
      if (!page.isEmpty()) {
        replayed.addAll(page);
      } else if (queue.overflowed()) {
        queue.reset();
      } else {
        // What replay delivered must not fill the live queue and end a caught-up reader as slow.
        queue.removeCovered(position);
        phase = Phase.LIVE;
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (phase == Phase.LIVE) {
      String reason = endReason;
      if (reason != null) {
        return finish(reason);
      }
      StoredEvent event = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        if (endReason != null) {
          continue;
        }
        if (closed) {
          return null;
        }
        if (queue.overflowed()) {
          metrics.gap();
          return finish("slow");
        }
        return null;
      }
      if (position.covers(event.partition(), event.offset())) {
        continue;
      }
      position = position.advance(event.partition(), event.offset());
      if ((event.offset() & 15) == 0) {
        // Sampled: a latency per delivered event would cost more than the delivery itself.
        metrics.delivered(Duration.between(event.receivedAt(), clock.instant()).toNanos());
      }
      return new Delivery.Item(event, position);
    }
    return null;
  }

  private Delivery finish(String reason) {
    phase = Phase.ENDED;
    queue.close();
    fanout.remove(this);
    return new Delivery.Gap(position, reason);
  }

  /**
   * Ends the subscription from outside (shutdown, revoked key): the consumer's next call returns a
   * {@link Delivery.Gap} with {@code reason} and the position to resume from.
   */
  public void end(String reason) {
    endReason = reason;
    queue.close();
  }

  /** Live events offered by the fan-out; never blocks. */
  void offer(StoredEvent event) {
    Cursor delivered = position;
    // The log notifies after a delay, possibly of events this subscription already replayed.
    if (delivered != null && delivered.covers(event.partition(), event.offset())) {
      return;
    }
    if (filter.matches(event)) {
      SubscriberQueue.Offer result = queue.offer(event);
      if (result == SubscriberQueue.Offer.CONFLATED) {
        metrics.conflated();
      }
    }
  }

  int queued() {
    return queue.size();
  }

  /** Stops the subscription without a notice (the reader unsubscribed or went away). */
  @Override
  public void close() {
    closed = true;
    queue.close();
    fanout.remove(this);
  }
}
