package io.agentwatch.server.stream;

import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.core.stream.SubscriberSink;
import io.agentwatch.core.stream.Subscription;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One Server-Sent Events response, written with the servlet's non-blocking output: no thread is
 * held while the stream is idle or the client is slow. Events arrive from the subscription as
 * ready-made bytes (each message {@code id: <cursor>}, {@code event: <type>}, {@code data:
 * <envelope>} in the envelope format), queue here, and leave in one write per hand-over. Above
 * {@link #HIGH_WATER} unwritten bytes the stream is not writable and its subscription reads from
 * the log later instead; a heartbeat comment keeps an idle stream (and its proxies) open.
 */
final class SseStream implements SubscriberSink, WriteListener, AsyncListener, Connections.Closable {

  static final long HIGH_WATER = 64 * 1024;
  static final long LOW_WATER = 16 * 1024;
  private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);

  private final AsyncContext async;
  private final ServletOutputStream out;
  private final SseFormat format;
  private final Consumer<SseStream> onClose;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private final Waiters waiters;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private long unwritten;
  private boolean flushPending;
  private boolean completeWhenWritten;
  private boolean over;
  private volatile long lastWriteNanos = System.nanoTime();
  private volatile Subscription subscription;

  SseStream(AsyncContext async, ServletOutputStream out, SseFormat format, Executor wakeUps,
      Consumer<SseStream> onClose) {
    this.async = async;
    this.out = out;
    this.format = format;
    this.waiters = new Waiters(wakeUps);
    this.onClose = onClose;
  }

  /** Starts writing: the listener is set and {@code opening} (the retry hint, a first message) goes out. */
  void open(byte[] opening) {
    async.addListener(this);
    out.setWriteListener(this);
    write(opening);
  }

  /** The subscription feeding this stream, closed with it (at once if the client is gone already). */
  void attach(Subscription subscription) {
    this.subscription = subscription;
    boolean gone;
    lock.lock();
    try {
      gone = over;
    } finally {
      lock.unlock();
    }
    if (gone) {
      subscription.close();
    }
  }

  @Override
  public boolean writable() {
    lock.lock();
    try {
      return unwritten < HIGH_WATER && !over;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void whenWritable(Runnable resume) {
    waiters.add(resume, writable());
  }

  @Override
  public void events(List<Delivery.Item> items) {
    int size = 0;
    byte[][] messages = new byte[items.size()][];
    for (int i = 0; i < items.size(); i++) {
      Delivery.Item item = items.get(i);
      messages[i] = format.message(item.cursor().toString(), item.event());
      size += messages[i] == null ? 0 : messages[i].length;
    }
    if (size == 0) {
      return;
    }
    byte[] all = new byte[size];
    int at = 0;
    for (byte[] message : messages) {
      if (message != null) {
        System.arraycopy(message, 0, all, at, message.length);
        at += message.length;
      }
    }
    write(all);
  }

  @Override
  public void gap(Cursor resumeFrom, GapReason reason) {
    String data = EventCodec.JSON.writeValueAsString(
        Map.of("resumeFrom", resumeFrom.toString(), "reason", reason.wireName()));
    lock.lock();
    try {
      completeWhenWritten = true;
    } finally {
      lock.unlock();
    }
    write(message(resumeFrom.toString(), "gap", data));
  }

  @Override
  public void reset(Cursor head) {
    write(message(head.toString(), "reset", EventCodec.JSON.writeValueAsString(Map.of("resumeFrom", head.toString()))));
  }

  /** A comment when nothing was written for {@code idleNanos}, so idle streams stay open. */
  void heartbeatIfIdle(long idleNanos) {
    if (System.nanoTime() - lastWriteNanos >= idleNanos) {
      write(HEARTBEAT);
    }
  }

  private static byte[] message(String id, String event, String data) {
    return ("id: " + id + "\nevent: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  private void write(byte[] bytes) {
    boolean done;
    lock.lock();
    try {
      if (over) {
        return;
      }
      pending.add(bytes);
      unwritten += bytes.length;
      lastWriteNanos = System.nanoTime();
      done = pump();
    } finally {
      lock.unlock();
    }
    if (done) {
      finish();
    }
  }

  /**
   * Writes what is pending while the output is ready (the container calls {@link #onWritePossible}
   * when it is ready again). Holds the lock; returns whether the response is over, which the caller
   * handles after letting go of the lock, since closing takes the subscription's lock.
   */
  private boolean pump() {
    try {
      while (out.isReady()) {
        if (!pending.isEmpty()) {
          // Everything waiting leaves in one write: each write of a non-blocking response costs a
          // round trip through the container before the next may start.
          byte[] next = pending.size() == 1 ? pending.poll() : drainPending();
          unwritten -= next.length;
          out.write(next);
          flushPending = true;
        } else if (flushPending) {
          flushPending = false;
          out.flush();
        } else {
          if (completeWhenWritten) {
            return true;
          }
          break;
        }
      }
    } catch (IOException | IllegalStateException e) {
      return true;
    }
    if (unwritten < LOW_WATER && waiters.any()) {
      waiters.wake();
    }
    return false;
  }

  private byte[] drainPending() {
    int size = 0;
    for (byte[] b : pending) {
      size += b.length;
    }
    byte[] all = new byte[size];
    int at = 0;
    byte[] b;
    while ((b = pending.poll()) != null) {
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    return all;
  }

  @Override
  public void onWritePossible() {
    boolean done;
    lock.lock();
    try {
      done = !over && pump();
    } finally {
      lock.unlock();
    }
    if (done) {
      finish();
    }
  }

  @Override
  public void onError(Throwable t) {
    finish();
  }

  /**
   * The response is over (written out, or the client went away): releases everything once. Never
   * called with the lock held.
   */
  private void finish() {
    lock.lock();
    try {
      if (over) {
        return;
      }
      over = true;
      pending.clear();
      unwritten = 0;
    } finally {
      lock.unlock();
    }
    Subscription s = subscription;
    if (s != null) {
      s.close();
    }
    try {
      async.complete();
    } catch (IllegalStateException e) {
      // Completed or errored already.
    }
    onClose.accept(this);
    closed.complete(null);
  }

  @Override
  public CompletableFuture<Void> end(GapReason reason) {
    Subscription s = subscription;
    if (s == null) {
      finish();
    } else {
      s.end(reason);
    }
    return closed;
  }

  @Override
  public void onComplete(AsyncEvent event) {
    finish();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    finish();
  }

  @Override
  public void onError(AsyncEvent event) {
    finish();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}
