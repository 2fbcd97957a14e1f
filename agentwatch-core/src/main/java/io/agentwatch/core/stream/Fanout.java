package io.agentwatch.core.stream;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Hands every appended event to the live subscriptions of its tenant whose filter matches it.
 *
 * <p>Subscriptions are spread over a few <em>shards</em>, each with its own thread and its own
 * {@link SubscriptionIndex}. The log's notifier only appends each committed group to every
 * shard's inbox; a shard takes all the groups waiting in its inbox at once, matches them against
 * its index, and offers each subscription its events of the round in one call. So a burst costs
 * one hand-over per subscriber, not one per event, and no thread waits per subscriber: a
 * subscription sends on the shard's thread to its non-blocking {@link SubscriberSink}, and a
 * subscription whose sink is not keeping up catches up from the log on the catch-up executor
 * (virtual threads) without slowing the shard or ingest.
 */
public final class Fanout implements Consumer<List<StoredEvent>>, AutoCloseable {

  /** Default bound of a subscription's live queue, in events; past it, it reads from the log. */
  public static final int DEFAULT_QUEUE_CAPACITY = 1024;

  /** One thread's share of the subscriptions. */
  static final class Shard {
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final ConcurrentLinkedQueue<List<StoredEvent>> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Executor executor;
    private final List<Subscription> touched = new ArrayList<>();

    Shard(Executor executor) {
      this.executor = executor;
    }

    void enqueue(List<StoredEvent> appended) {
      inbox.add(appended);
      if (scheduled.compareAndSet(false, true)) {
        executor.execute(this::run);
      }
    }

    private void run() {
      scheduled.set(false);
      List<StoredEvent> group;
      while ((group = inbox.poll()) != null) {
        for (StoredEvent event : group) {
          index.forEachMatch(event, s -> {
            if (s.round.isEmpty()) {
              touched.add(s);
            }
            s.round.add(event);
          });
        }
      }
      for (Subscription s : touched) {
        try {
          s.offer(s.round);
        } finally {
          s.round.clear();
        }
      }
      touched.clear();
    }

    void remove(Subscription s) {
      index.remove(s);
    }
  }

  private final EventLog log;
  private final int queueCapacity;
  private final PipelineMetrics metrics;
  private final Clock clock;
  private final List<Shard> shards = new ArrayList<>();
  private final List<ExecutorService> owned = new ArrayList<>();
  private final Executor catchUp;
  private final AtomicInteger nextShard = new AtomicInteger();
  private AutoCloseable tail;

  /**
   * A fan-out with {@code shards} threads of its own and virtual threads for catching up.
   *
   * @param queueCapacity bound of each subscription's live queue, in events
   */
  public Fanout(EventLog log, int queueCapacity, int shards, PipelineMetrics metrics, Clock clock) {
    this(log, queueCapacity, metrics, clock, Executors.newVirtualThreadPerTaskExecutor(), serialExecutors(shards));
  }

  /**
   * A fan-out on given executors (tests drive them by hand): each of {@code shardExecutors} must
   * run its tasks one at a time, in order.
   */
  public Fanout(EventLog log, int queueCapacity, PipelineMetrics metrics, Clock clock, Executor catchUp,
      List<? extends Executor> shardExecutors) {
    if (shardExecutors.isEmpty()) {
      throw new IllegalArgumentException("a fan-out needs at least one shard");
    }
    this.log = log;
    this.queueCapacity = queueCapacity;
    this.metrics = metrics;
    this.clock = clock;
    this.catchUp = catchUp;
    for (Executor executor : shardExecutors) {
      shards.add(new Shard(executor));
      if (executor instanceof ExecutorService service) {
        owned.add(service);
      }
    }
    if (catchUp instanceof ExecutorService service) {
      owned.add(service);
    }
  }

  private static List<ExecutorService> serialExecutors(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("shards must be >= 1 but was " + count);
    }
    List<ExecutorService> executors = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      executors.add(Executors.newSingleThreadExecutor(
          Thread.ofPlatform().name("fanout-" + i).daemon(true).factory()));
    }
    return executors;
  }

  /** Starts listening to the log; call once. */
  public synchronized Fanout start() {
    if (tail == null) {
      tail = log.tail(this);
    }
    return this;
  }

  /**
   * A subscription of {@code tenant} to events matching {@code filter}, pushed to {@code sink}:
   * the stored events after {@code after} first (null: none, live from now), then live ones. A
   * cursor of another store yields a reset to the head first.
   *
   * @param conflate whether metric-like events may replace queued ones of their series while the
   *     subscriber is behind (an explicit choice; by default every event is delivered)
   */
  public Subscription subscribe(String tenant, EventFilter filter, Cursor after, boolean conflate,
      SubscriberSink sink) {
    Shard shard = shards.get(Math.floorMod(nextShard.getAndIncrement(), shards.size()));
    Subscription s = new Subscription(shard, log, tenant, filter, sink, queueCapacity, conflate, catchUp, metrics,
        clock);
    shard.index.add(s);
    s.start(after);
    return s;
  }

  @Override
  public void accept(List<StoredEvent> appended) {
    for (Shard shard : shards) {
      shard.enqueue(appended);
    }
  }

  public int subscribers() {
    return shards.stream().mapToInt(s -> s.index.all().size()).sum();
  }

  /** Live events waiting in all subscriptions' queues. */
  public long queued() {
    return shards.stream().flatMap(s -> s.index.all().stream()).mapToLong(Subscription::queued).sum();
  }

  /** Subscriptions reading from the log rather than live (replaying, or behind). */
  public long catchingUp() {
    return shards.stream().flatMap(s -> s.index.all().stream()).filter(Subscription::isCatchingUp).count();
  }

  /** Ends every subscription with a resumable {@code gap} notice of the given reason. */
  public void endAll(GapReason reason) {
    shards.forEach(shard -> List.copyOf(shard.index.all()).forEach(s -> s.end(reason)));
  }

  @Override
  public synchronized void close() {
    endAll(GapReason.SHUTDOWN);
    if (tail != null) {
      try {
        tail.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot stop listening to the log", e);
      }
      tail = null;
    }
    for (ExecutorService service : owned) {
      service.shutdown();
    }
    for (ExecutorService service : owned) {
      try {
        service.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
