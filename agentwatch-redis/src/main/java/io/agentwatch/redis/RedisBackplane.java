package io.agentwatch.redis;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.stream.Backplane;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.MalformedCursorException;
import io.lettuce.core.RedisException;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The {@link Backplane} on Redis Pub/Sub: a notice is the cursor's text published on the channel
 * {@code <prefix>backplane:<name>}. Redis delivers each message to every connection subscribed at
 * that moment, in publish order per publishing connection, and to nobody who is disconnected:
 * exactly the backplane's best-effort contract. Publishing is fire-and-forget on the shared
 * connection; this member subscribes on a pub/sub connection of its own, opened on the first
 * {@link #subscribe}, and its listeners run on Lettuce's I/O thread (they must not block).
 */
public final class RedisBackplane implements Backplane {

  private static final System.Logger LOG = System.getLogger(RedisBackplane.class.getName());

  private final RedisConnections redis;
  private final String channel;
  private final List<Consumer<Cursor>> listeners = new CopyOnWriteArrayList<>();
  private StatefulRedisPubSubConnection<String, String> subscription;
  private final AtomicBoolean failing = new AtomicBoolean();
  private volatile boolean closed;

  public RedisBackplane(RedisConnections redis, String name) {
    this.redis = redis;
    this.channel = redis.key("backplane:" + name);
  }

  @Override
  public void publish(Cursor cursor) {
    if (closed) {
      throw new IllegalStateException("the backplane is closed");
    }
    redis.connection().async().publish(channel, cursor.toString()).whenComplete((receivers, e) -> {
      // Said once per outage, not once per notice: a node publishes after every commit.
      if (e != null && !failing.getAndSet(true)) {
        LOG.log(System.Logger.Level.WARNING, "cannot publish notices on " + channel + " (other nodes see this"
            + " node's events by their poll until it recovers): " + e.getMessage());
      } else if (e == null && failing.getAndSet(false)) {
        LOG.log(System.Logger.Level.INFO, "publishing notices on " + channel + " again");
      }
    });
  }

  @Override
  public synchronized AutoCloseable subscribe(Consumer<Cursor> listener) {
    if (closed) {
      throw new IllegalStateException("the backplane is closed");
    }
    if (subscription == null) {
      StatefulRedisPubSubConnection<String, String> c = redis.pubSub();
      c.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String from, String message) {
          deliver(message);
        }
      });
      try {
        c.sync().subscribe(channel);
      } catch (RedisException e) {
        c.close();
        throw new UnavailableException("cannot subscribe to " + channel + ": " + e.getMessage(), e);
      }
      subscription = c;
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void deliver(String message) {
    Cursor cursor;
    try {
      cursor = Cursor.parse(message);
    } catch (MalformedCursorException e) {
      LOG.log(System.Logger.Level.WARNING, "ignoring a message on " + channel + " that is not a cursor");
      return;
    }
    for (Consumer<Cursor> listener : listeners) {
      try {
        listener.accept(cursor);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "a backplane listener failed on " + cursor, e);
      }
    }
  }

  @Override
  public void check() {
    redis.check();
    StatefulRedisPubSubConnection<String, String> s;
    synchronized (this) {
      s = subscription;
    }
    if (s != null && !s.isOpen()) {
      throw new UnavailableException("the backplane's subscription to " + channel + " is down");
    }
  }

  /** Stops listening; the connections' owner closes them. */
  @Override
  public synchronized void close() {
    closed = true;
    listeners.clear();
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }
}
