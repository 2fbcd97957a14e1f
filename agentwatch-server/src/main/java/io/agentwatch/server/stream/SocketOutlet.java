package io.agentwatch.server.stream;

import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * The sending side of one WebSocket connection: text frames of ready-made bytes handed to Jetty's
 * non-blocking frame flusher, in call order, from any thread.
 *
 * <p>It counts the bytes handed over and not yet written. Above {@link #HIGH_WATER} the connection
 * is not {@link #writable()}: subscriptions stop handing it events (they queue them, then read
 * them from the log later) and ask to be woken through {@link #whenWritable} once the count drops
 * below {@link #LOW_WATER}. Replies (acks, errors, commands, notices) are always sent: they are
 * small and bounded by what the client itself asks for. So a client that never reads holds at
 * most about {@code HIGH_WATER} plus one batch here, besides the kernel's socket buffer.
 */
final class SocketOutlet {

  static final long HIGH_WATER = 64 * 1024;
  static final long LOW_WATER = 16 * 1024;

  private final CoreSession session;
  private final AtomicLong unwritten = new AtomicLong();
  private final Waiters waiters;

  SocketOutlet(CoreSession session, Executor wakeUps) {
    this.session = session;
    this.waiters = new Waiters(wakeUps);
  }

  /**
   * Sends one text frame. With {@code more}, the frame may wait in Jetty's batch buffer for the
   * next one; the last frame of a burst is sent without it, which flushes the batch.
   */
  void send(ByteBuffer payload, boolean more) {
    int size = payload.remaining();
    unwritten.addAndGet(size);
    session.sendFrame(new Frame(OpCode.TEXT, payload), new Callback() {
      @Override
      public void succeeded() {
        written(size);
      }

      @Override
      public void failed(Throwable x) {
        // The connection is gone; Jetty closes the session and the handler cleans up.
        written(size);
      }
    }, more);
  }

  boolean writable() {
    return unwritten.get() < HIGH_WATER;
  }

  /** Runs {@code resume} on another thread once the connection is writable (at once if it is). */
  void whenWritable(Runnable resume) {
    waiters.add(resume, writable());
  }

  /** Bytes handed over and not yet written. */
  long unwritten() {
    return unwritten.get();
  }

  private void written(int size) {
    if (unwritten.addAndGet(-size) < LOW_WATER && waiters.any()) {
      waiters.wake();
    }
  }
}
