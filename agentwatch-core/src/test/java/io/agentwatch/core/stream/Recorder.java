package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SubscriberSink} standing for a client connection: it holds up to {@code window}
 * deliveries the test has not read yet, like a socket buffer, and is not writable beyond that (or
 * while paused). Reading with {@link #next} makes room and wakes the subscription, as a real
 * connection's drained buffer does.
 */
final class Recorder implements SubscriberSink {

  private final int window;
  private final Executor wakeUps;
  private final LinkedBlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedQueue<Runnable> waiters = new ConcurrentLinkedQueue<>();
  private volatile boolean paused;
  private volatile Thread sender;
  private volatile boolean concurrentSenders;

  Recorder(int window, Executor wakeUps) {
    this.window = window;
    this.wakeUps = wakeUps;
  }

  @Override
  public boolean writable() {
    return !paused && received.size() < window;
  }

  @Override
  public void whenWritable(Runnable resume) {
    waiters.add(resume);
    wakeIfWritable();
  }

  @Override
  public void events(List<Delivery.Item> items) {
    enter();
    try {
      received.addAll(items);
    } finally {
      leave();
    }
  }

  @Override
  public void gap(Cursor resumeFrom, GapReason reason) {
    enter();
    try {
      received.add(new Delivery.Gap(resumeFrom, reason));
    } finally {
      leave();
    }
  }

  @Override
  public void reset(Cursor head) {
    enter();
    try {
      received.add(new Delivery.Reset(head));
    } finally {
      leave();
    }
  }

  /** The subscription promises one sender at a time; this notices when it breaks that promise. */
  private void enter() {
    Thread current = Thread.currentThread();
    if (sender != null && sender != current) {
      concurrentSenders = true;
    }
    sender = current;
  }

  private void leave() {
    sender = null;
  }

  boolean sawConcurrentSenders() {
    return concurrentSenders;
  }

  /** The next delivery the client reads, waiting up to {@code timeout}; null when none came. */
  Delivery next(Duration timeout) throws InterruptedException {
    Delivery d = received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    wakeIfWritable();
    return d;
  }

  /** The next delivery if one is there, without waiting. */
  Delivery poll() {
    Delivery d = received.poll();
    wakeIfWritable();
    return d;
  }

  int unread() {
    return received.size();
  }

  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
    wakeIfWritable();
  }

  private void wakeIfWritable() {
    if (!writable()) {
      return;
    }
    Runnable waiter;
    while ((waiter = waiters.poll()) != null) {
      wakeUps.execute(waiter);
    }
  }
}
