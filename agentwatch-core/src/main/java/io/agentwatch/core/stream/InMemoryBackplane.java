package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * A {@link Backplane} inside one process, for tests and for trying things out: {@code new
 * InMemoryBackplane()} opens a channel and {@link #join()} adds another member (another "node")
 * to it. Notices are delivered on one thread per channel, in publish order.
 */
public final class InMemoryBackplane implements Backplane {

  private static final System.Logger LOG = System.getLogger(InMemoryBackplane.class.getName());

  private static final class Channel {
    final List<InMemoryBackplane> members = new CopyOnWriteArrayList<>();
    final ExecutorService delivery = Executors.newSingleThreadExecutor(
        Thread.ofPlatform().name("in-memory-backplane").daemon(true).factory());
  }

  private final Channel channel;
  private final List<Consumer<Cursor>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  public InMemoryBackplane() {
    this(new Channel());
  }

  private InMemoryBackplane(Channel channel) {
    this.channel = channel;
    channel.members.add(this);
  }

  /** Another member of this member's channel. */
  public InMemoryBackplane join() {
    return new InMemoryBackplane(channel);
  }

  @Override
  public void publish(Cursor cursor) {
    check();
    channel.delivery.execute(() -> channel.members.forEach(m -> m.deliver(cursor)));
  }

  private void deliver(Cursor cursor) {
    for (Consumer<Cursor> listener : listeners) {
      try {
        listener.accept(cursor);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a backplane listener failed on " + cursor, e);
      }
    }
  }

  @Override
  public AutoCloseable subscribe(Consumer<Cursor> listener) {
    check();
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void check() {
    if (closed) {
      throw new IllegalStateException("the backplane member is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    listeners.clear();
    channel.members.remove(this);
    if (channel.members.isEmpty()) {
      channel.delivery.shutdown();
    }
  }
}
