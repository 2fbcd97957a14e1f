package io.agentwatch.core.stream;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One reader's view of the log, pushed to its {@link SubscriberSink}: first the stored events
 * after its cursor, then live events as they are appended, with no gap and no duplicate.
 *
 * <p>A subscription is either <em>live</em> — the fan-out offers it matching events, which go to
 * the sink at once, on the fan-out's thread, while the sink is writable — or <em>catching up</em>
 * — it reads the log from its position at the pace its sink takes pages, on the catch-up
 * executor. It starts catching up when given a cursor, and falls back to catching up whenever
 * its bounded live queue overflows because the sink is not taking events; it rejoins live
 * delivery once a read of the log comes back empty. Nobody is cut off for being slow, and memory
 * stays bounded: at most a queue of references to shared events, or one page read from the log.
 *
 * <p>Why no event is lost or repeated: the subscription is registered with the fan-out before
 * its first read, so every event is either read from the log or offered live (or both); an event
 * the position already covers is skipped. While catching up, live events are queued only to be
 * delivered after the last read; if the queue overflows meanwhile, it is emptied and the log read
 * again, since what it dropped is in the log. The read that finds nothing more happens after the
 * last emptying, so the queue then holds every later event.
 *
 * <p>Threads: at most one thread at a time moves events to the sink (the <em>sender</em>: the
 * fan-out's thread draining the live queue, a thread resuming a sink that became writable, or
 * the catch-up executor); the state below says who. {@link #end} and {@link #close} may be
 * called from any thread.
 */
public final class Subscription implements AutoCloseable {

  /**
   * Events per hand-over to the sink: a bound on a frame's length, not a wait for more. Also the
   * most a subscription reads from the log at once, so one catching up holds at most this many.
   */
  static final int MAX_BATCH = 128;
  /** One delivery latency in this many is recorded: a sample per hand-over would cost more than it. */
  private static final int LATENCY_SAMPLE = 16;

  private enum Phase { STARTING, CATCHING_UP, LIVE, ENDED }

  /** Who moves events to the sink now. */
  private enum Sender {
    /** Nobody: the next live offer starts draining. */
    IDLE,
    /** A thread is draining the live queue. */
    DRAINING,
    /** Live, waiting for the sink to become writable. */
    WAITING,
    /** A catch-up step is running (reading the log or sending what it read). */
    CATCHING_UP,
    /** Catching up, waiting for the sink to become writable. */
    CATCH_UP_PARKED
  }

  private final Fanout.Shard shard;
  private final EventLog log;
  private final String tenant;
  private final EventFilter filter;
  private final SubscriberSink sink;
  private final Executor catchUpExecutor;
  private final PipelineMetrics metrics;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final LiveQueue queue;
  /** Events read from the log and not yet sent; used by the catch-up sender only. */
  private final ArrayDeque<StoredEvent> page = new ArrayDeque<>();
  /** Events matched by the shard in its current round; used by the shard's thread only. */
  final List<StoredEvent> round = new ArrayList<>(4);

  private Phase phase = Phase.STARTING;
  private Sender sender = Sender.IDLE;
  /** While catching up: the live queue dropped events, so the log must be read again before going live. */
  private boolean overflowed;
  private GapReason endReason;
  private int handOvers;
  /** The position after the last event handed to the sink; null until started. */
  private volatile Cursor position;

  Subscription(Fanout.Shard shard, EventLog log, String tenant, EventFilter filter, SubscriberSink sink,
      int queueCapacity, boolean conflate, Executor catchUpExecutor, PipelineMetrics metrics, Clock clock) {
    this.shard = shard;
    this.log = log;
    this.tenant = tenant;
    this.filter = filter;
    this.sink = sink;
    this.queue = new LiveQueue(queueCapacity, conflate);
    this.catchUpExecutor = catchUpExecutor;
    this.metrics = metrics;
    this.clock = clock;
  }

  public String tenant() {
    return tenant;
  }

  public EventFilter filter() {
    return filter;
  }

  /** The position after the last event handed to the sink (null before the subscription started). */
  public Cursor position() {
    return position;
  }

  public boolean isOpen() {
    lock.lock();
    try {
      return phase != Phase.ENDED;
    } finally {
      lock.unlock();
    }
  }

  /** Whether it is reading the log rather than taking live events (for tests and metrics). */
  public boolean isCatchingUp() {
    lock.lock();
    try {
      return phase == Phase.CATCHING_UP || phase == Phase.STARTING;
    } finally {
      lock.unlock();
    }
  }

  /** Live events waiting for the sink. */
  int queued() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Called once by the fan-out after registration: live from the head ({@code after} null), a
   * reset to the head ({@code after} from another store), or catching up from {@code after}.
   */
  void start(Cursor after) {
    Cursor head = log.head();
    boolean reset = after != null && after.isStaleFor(head);
    boolean catchingUp;
    lock.lock();
    try {
      // Live events offered before this point overflowed the queue: read them from the log.
      catchingUp = after != null && !reset || overflowed;
      position = after == null || reset ? head : after;
      queue.removeCovered(position);
      if (catchingUp) {
        overflowed = false;
        queue.clear();
        phase = Phase.CATCHING_UP;
        sender = Sender.CATCHING_UP;
      } else {
        phase = Phase.LIVE;
        sender = Sender.DRAINING;
      }
    } finally {
      lock.unlock();
    }
    // This thread is the sender now, so the reset goes out before any event.
    if (reset) {
      sink.reset(head);
    }
    if (catchingUp) {
      catchUpExecutor.execute(this::catchUp);
    } else {
      drain();
    }
  }

  /**
   * Live events matching this subscription, in log order, from the fan-out's thread. Never
   * blocks: it queues them and, when nobody is sending, sends them on this thread while the sink
   * is writable.
   */
  void offer(List<StoredEvent> events) {
    boolean drainNow = false;
    boolean startCatchUp = false;
    List<StoredEvent> direct = null;
    lock.lock();
    try {
      if (phase == Phase.ENDED) {
        return;
      }
      if (phase == Phase.LIVE && sender == Sender.IDLE && queue.isEmpty() && events.size() <= MAX_BATCH
          && sink.writable()) {
        // The common case: nothing waits and the connection takes more, so the events go out now.
        sender = Sender.DRAINING;
        direct = events;
      }
    } finally {
      lock.unlock();
    }
    if (direct != null) {
      send(direct);
      drain();
      return;
    }
    lock.lock();
    try {
      if (phase == Phase.ENDED) {
        return;
      }
      Cursor at = position;
      for (StoredEvent event : events) {
        if (at != null && at.covers(event.partition(), event.offset())) {
          continue;
        }
        LiveQueue.Offer offered = queue.add(event);
        if (offered == LiveQueue.Offer.CONFLATED) {
          metrics.conflated();
        } else if (offered == LiveQueue.Offer.FULL) {
          startCatchUp = overflow();
          break;
        }
      }
      if (phase == Phase.LIVE && sender == Sender.IDLE && !queue.isEmpty()) {
        sender = Sender.DRAINING;
        drainNow = true;
      }
    } finally {
      lock.unlock();
    }
    if (startCatchUp) {
      catchUpExecutor.execute(this::catchUp);
    } else if (drainNow) {
      drain();
    }
  }

  /**
   * The live queue is full: whatever it would drop is in the log. Live, the subscription falls
   * back to catching up from its position; already catching up, it notes that the log must be
   * read again. Returns whether the caller must start the catch-up sender. Holds the lock.
   */
  private boolean overflow() {
    queue.clear();
    if (phase != Phase.LIVE) {
      overflowed = true;
      return false;
    }
    phase = Phase.CATCHING_UP;
    metrics.fellBehind();
    if (sender == Sender.IDLE || sender == Sender.WAITING) {
      sender = Sender.CATCHING_UP;
      return true;
    }
    // A draining thread sees the new phase and hands over.
    return false;
  }

  /** The live sender: moves queued events to the sink while it is writable. */
  private void drain() {
    while (true) {
      List<StoredEvent> batch;
      lock.lock();
      try {
        if (finishIfEnding()) {
          return;
        }
        if (phase == Phase.CATCHING_UP) {
          sender = Sender.CATCHING_UP;
          catchUpExecutor.execute(this::catchUp);
          return;
        }
        if (queue.isEmpty()) {
          sender = Sender.IDLE;
          return;
        }
        if (!sink.writable()) {
          sender = Sender.WAITING;
          sink.whenWritable(this::resume);
          return;
        }
        batch = queue.take(MAX_BATCH);
      } finally {
        lock.unlock();
      }
      send(batch);
    }
  }

  /** The sink became writable again while live events waited. */
  private void resume() {
    lock.lock();
    try {
      if (sender != Sender.WAITING) {
        return;
      }
      sender = Sender.DRAINING;
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** The catch-up sender: reads the log from the position, sends it, and goes live at the end. */
  private void catchUp() {
    while (true) {
      lock.lock();
      try {
        if (finishIfEnding()) {
          return;
        }
      } finally {
        lock.unlock();
      }
      // Writable first, so a subscription waiting for its reader holds no page.
      lock.lock();
      try {
        if (!sink.writable()) {
          sender = Sender.CATCH_UP_PARKED;
          sink.whenWritable(this::resumeCatchUp);
          return;
        }
      } finally {
        lock.unlock();
      }
      if (page.isEmpty()) {
        List<StoredEvent> read;
        try {
          read = log.read(tenant, position, filter, MAX_BATCH);
        } catch (StaleCursorException e) {
          restartFromHead();
          continue;
        } catch (RuntimeException e) {
          end(GapReason.UNAVAILABLE);
          continue;
        }
        if (read.isEmpty()) {
          if (goLive()) {
            drain();
            return;
          }
          continue;
        }
        page.addAll(read);
      }
      List<StoredEvent> batch = new ArrayList<>(Math.min(MAX_BATCH, page.size()));
      while (!page.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(page.poll());
      }
      send(batch);
    }
  }

  private void resumeCatchUp() {
    lock.lock();
    try {
      if (sender != Sender.CATCH_UP_PARKED) {
        return;
      }
      sender = Sender.CATCHING_UP;
    } finally {
      lock.unlock();
    }
    catchUpExecutor.execute(this::catchUp);
  }

  /**
   * After a read of the log found nothing more: live from here, unless the live queue dropped
   * events meanwhile (then the log is read again). Returns whether the caller now drains.
   */
  private boolean goLive() {
    lock.lock();
    try {
      if (phase == Phase.ENDED || endReason != null) {
        return false;
      }
      if (overflowed) {
        overflowed = false;
        queue.clear();
        return false;
      }
      queue.removeCovered(position);
      phase = Phase.LIVE;
      sender = Sender.DRAINING;
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The store behind the log changed under the reader (a wiped folder): reset to its head. */
  private void restartFromHead() {
    Cursor head = log.head();
    lock.lock();
    try {
      page.clear();
      queue.clear();
      overflowed = false;
      position = head;
    } finally {
      lock.unlock();
    }
    sink.reset(head);
  }

  /** Hands events to the sink, each with the cursor after it, skipping what is covered. */
  private void send(List<StoredEvent> batch) {
    Cursor at = position;
    List<Delivery.Item> items = new ArrayList<>(batch.size());
    for (StoredEvent event : batch) {
      if (at.covers(event.partition(), event.offset())) {
        continue;
      }
      at = after(at, event);
      items.add(new Delivery.Item(event, at));
    }
    if (items.isEmpty()) {
      return;
    }
    position = at;
    sink.events(items);
    if (handOvers++ % LATENCY_SAMPLE == 0) {
      StoredEvent last = items.getLast().event();
      metrics.delivered(Duration.between(last.receivedAt(), clock.instant()).toNanos());
    }
  }

  /**
   * The position after {@code event}: the event's own cursor when it covers everything delivered
   * so far (then nothing the subscriber should get lies behind it, and its text is shared by every
   * subscriber), else this position moved to cover the event.
   */
  private static Cursor after(Cursor at, StoredEvent event) {
    Cursor own = event.cursor();
    return own.coversAll(at) ? own : at.advance(event.partition(), event.offset());
  }

  /**
   * Ends the subscription with a resumable {@code gap} notice (shutdown, revoked key): at once
   * when nobody is sending, else by the sender at its next step (a subscription still starting
   * ends as soon as it has started).
   */
  public void end(GapReason reason) {
    lock.lock();
    try {
      if (phase == Phase.ENDED || endReason != null) {
        return;
      }
      endReason = reason;
      if (phase == Phase.STARTING || sender == Sender.DRAINING || sender == Sender.CATCHING_UP) {
        return;
      }
      sender = Sender.DRAINING;
      finishIfEnding();
    } finally {
      lock.unlock();
    }
  }

  /** The sender's check at each step: sends the gap and leaves when an end is pending. Holds the lock. */
  private boolean finishIfEnding() {
    if (phase == Phase.ENDED) {
      sender = Sender.IDLE;
      return true;
    }
    if (endReason == null) {
      return false;
    }
    phase = Phase.ENDED;
    sender = Sender.IDLE;
    queue.clear();
    page.clear();
    shard.remove(this);
    metrics.gap();
    sink.gap(position, endReason);
    return true;
  }

  /** Stops without a notice (the reader unsubscribed or went away). */
  @Override
  public void close() {
    lock.lock();
    try {
      phase = Phase.ENDED;
      queue.clear();
    } finally {
      lock.unlock();
    }
    shard.remove(this);
  }
}
