package io.agentwatch.core.log;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;

/**
 * Group commit for a log's writer: callers {@link #submit} append requests; one writer thread
 * takes the first waiting request plus whatever else waits and hands the group to a {@link Commit},
 * which stores it in one transaction, so one commit answers many callers. The batch adapts by
 * itself: when appends are rare each commits alone (lowest latency), under load they pile up
 * behind the running commit and the next group carries them all (fewest commits).
 *
 * <p>Contract:
 * <ul>
 *   <li><b>Order.</b> Groups are taken in submission order, and a group keeps its requests in that
 *       order. A request {@linkplain Pending#setAside() put aside} rejoins at the end of the queue.</li>
 *   <li><b>Size.</b> A group holds at most {@code maxGroupEvents} events, except a single request
 *       larger than that, which makes a group of its own.</li>
 *   <li><b>Saturation.</b> A request that would make more than {@code maxPendingEvents} events wait
 *       is refused at once: its future fails with {@link UnavailableException} (503, retry shortly).
 *       A request is never refused while nothing waits, however large.</li>
 *   <li><b>Answers.</b> The commit answers every request of its group ({@link Pending#complete},
 *       {@link Pending#fail}) or puts it aside. The callers' futures complete on virtual threads,
 *       never on the writer thread, so their callbacks never hold up the next commit. A request
 *       whose future is already complete when its group is taken (its caller's deadline failed it)
 *       is dropped, never committed.</li>
 *   <li><b>A failed commit.</b> When the commit throws, the requests of its group it has not
 *       answered fail with {@link UnavailableException}, and the writer goes on with the next
 *       group. Only an {@link Error} stops the writer: then every request it holds fails, later
 *       ones are refused, and {@link #isRunning()} turns false, so nobody waits forever.</li>
 *   <li><b>Close.</b> {@link #close} refuses new requests, lets the writer commit every queued
 *       request (and every one put aside) and returns once it has stopped and the answers are out:
 *       nothing is committed after it returns.</li>
 * </ul>
 *
 * @param <R> one append request, as the commit needs it
 */
public final class GroupCommitter<R> implements AutoCloseable {

  /** Stores one group; called on the writer thread, one group at a time. */
  @FunctionalInterface
  public interface Commit<R> {
    /**
     * Stores {@code group} and answers each of its requests, or puts it aside. Throwing fails
     * those not answered yet.
     */
    void commit(List<Pending<R>> group) throws Exception;
  }

  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(10);
  private static final System.Logger LOG = System.getLogger(GroupCommitter.class.getName());

  private final String name;
  private final int maxGroupEvents;
  private final int maxPendingEvents;
  private final ToIntFunction<R> eventCount;
  private final Commit<R> commit;
  private final Thread thread;
  private final ExecutorService acks;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private final ArrayDeque<Pending<R>> queue = new ArrayDeque<>();
  private int pendingEvents;
  private int aside;
  private boolean closed;
  private boolean stopped;

  /**
   * @param name       names the threads: {@code name-writer}, {@code name-ack-N}
   * @param eventCount how many events a request carries
   */
  public GroupCommitter(String name, int maxGroupEvents, int maxPendingEvents, ToIntFunction<R> eventCount,
      Commit<R> commit) {
    if (maxGroupEvents < 1 || maxPendingEvents < 1) {
      throw new IllegalArgumentException("the limits must be positive but were " + maxGroupEvents
          + " events a group and " + maxPendingEvents + " waiting");
    }
    this.name = name;
    this.maxGroupEvents = maxGroupEvents;
    this.maxPendingEvents = maxPendingEvents;
    this.eventCount = eventCount;
    this.commit = commit;
    this.thread = Thread.ofPlatform().name(name + "-writer").daemon(true).unstarted(this::run);
    this.acks = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(name + "-ack-", 0).factory());
  }

  public void start() {
    thread.start();
  }

  public boolean isRunning() {
    return thread.isAlive();
  }

  /** Queues {@code request}; its future fails at once when closed or saturated. */
  public CompletableFuture<List<AppendResult>> submit(R request) {
    Pending<R> pending = new Pending<>(this, request, eventCount.applyAsInt(request));
    lock.lock();
    try {
      if (closed) {
        return CompletableFuture.failedFuture(new UnavailableException("the event log is closed"));
      }
      if (pendingEvents > 0 && pendingEvents + pending.events > maxPendingEvents) {
        return CompletableFuture.failedFuture(new UnavailableException(
            "the event log is saturated (" + pendingEvents + " events waiting to be written); retry shortly"));
      }
      enqueue(pending);
    } finally {
      lock.unlock();
    }
    return pending.future;
  }

  private void enqueue(Pending<R> pending) {
    queue.add(pending);
    pendingEvents += pending.events;
    queued.signal();
  }

  private void run() {
    List<Pending<R>> group = List.of();
    try {
      while ((group = takeGroup()) != null) {
        commit(group);
      }
    } catch (Error e) {
      LOG.log(System.Logger.Level.ERROR, "the " + name + " writer stopped", e);
      throw e;
    } finally {
      failRemaining(group);
    }
  }

  /** Waits for the next group; null once closed with nothing queued or put aside. */
  private List<Pending<R>> takeGroup() {
    lock.lock();
    try {
      List<Pending<R>> group = new ArrayList<>();
      int events = 0;
      while (group.isEmpty()) {
        while (queue.isEmpty()) {
          if (closed && aside == 0) {
            return null;
          }
          queued.awaitUninterruptibly();
        }
        while (!queue.isEmpty() && (group.isEmpty() || events + queue.peek().events <= maxGroupEvents)) {
          Pending<R> next = queue.poll();
          pendingEvents -= next.events;
          if (!next.future.isDone()) {
            // One put aside may have come back while its former group was still being committed:
            // only now is it this group's to answer.
            next.answered = false;
            group.add(next);
            events += next.events;
          }
        }
      }
      return group;
    } finally {
      lock.unlock();
    }
  }

  private void commit(List<Pending<R>> group) {
    try {
      commit.commit(group);
    } catch (Exception e) {
      LOG.log(System.Logger.Level.WARNING, "a group of " + group.size() + " appends failed;"
          + " those not answered yet fail as unavailable", e);
      group.forEach(p -> p.fail(e));
    }
  }

  private void requeue(Pending<R> pending) {
    lock.lock();
    try {
      aside--;
      if (!stopped) {
        enqueue(pending);
        return;
      }
    } finally {
      lock.unlock();
    }
    pending.future.completeExceptionally(new UnavailableException("the event log writer stopped"));
  }

  /** Fails what the writer still holds; anything to fail at all only if it died of an Error. */
  private void failRemaining(List<Pending<R>> group) {
    List<Pending<R>> left = group == null ? new ArrayList<>() : new ArrayList<>(group);
    lock.lock();
    try {
      closed = true;
      stopped = true;
      queue.forEach(p -> p.answered = false);
      left.addAll(queue);
      queue.clear();
      pendingEvents = 0;
    } finally {
      lock.unlock();
    }
    UnavailableException failure = new UnavailableException("the event log writer stopped");
    left.forEach(p -> p.fail(failure));
  }

  /** Refuses new requests, commits those already queued or put aside, then stops. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      queued.signalAll();
    } finally {
      lock.unlock();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    acks.shutdown();
    try {
      acks.awaitTermination(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A submitted request and its caller's future. The commit answers it on the writer thread, and
   * the first answer counts; the future completes on a virtual thread.
   */
  public static final class Pending<R> {
    private final GroupCommitter<R> owner;
    private final R request;
    private final int events;
    private final CompletableFuture<List<AppendResult>> future = new CompletableFuture<>();
    /** Answered or put aside by the group that holds it; cleared when a group takes it. Writer thread only. */
    private boolean answered;

    private Pending(GroupCommitter<R> owner, R request, int events) {
      this.owner = owner;
      this.request = request;
      this.events = events;
    }

    public R request() {
      return request;
    }

    /** Answers the caller with one result per event of its request; ignored once answered. */
    public void complete(List<AppendResult> results) {
      if (markAnswered()) {
        owner.acks.execute(() -> future.complete(results));
      }
    }

    /**
     * Fails the caller with {@code cause} if it is an {@link UnavailableException}, else with one
     * that names it; ignored once answered.
     */
    public void fail(Exception cause) {
      if (markAnswered()) {
        UnavailableException failure = cause instanceof UnavailableException u ? u
            : new UnavailableException("could not store the events: " + cause.getMessage(), cause);
        owner.acks.execute(() -> future.completeExceptionally(failure));
      }
    }

    /**
     * Takes this request out of its group unanswered, for a later group: the returned action puts
     * it back at the end of the queue (closed or saturated as it may be). Until the action has
     * run, {@link GroupCommitter#close} waits for it.
     */
    public Runnable setAside() {
      if (!markAnswered()) {
        throw new IllegalStateException("a request already answered cannot be put aside");
      }
      owner.lock.lock();
      try {
        owner.aside++;
      } finally {
        owner.lock.unlock();
      }
      return () -> owner.requeue(this);
    }

    /** False if it was answered (or put aside) before. */
    private boolean markAnswered() {
      boolean first = !answered;
      answered = true;
      return first;
    }
  }
}
