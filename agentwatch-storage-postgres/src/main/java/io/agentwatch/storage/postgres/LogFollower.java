package io.agentwatch.storage.postgres;

import io.agentwatch.core.stream.Backplane;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Follows the whole log on one node and hands every event, exactly once and in log order per
 * partition, to the {@code deliver} callback: what this node's writer committed and what other
 * nodes committed.
 *
 * <p>The follower thread reads from its own position, never trusting a wake-up for content, so
 * it cannot miss or repeat an event: it wakes when this node's writer committed (and then takes
 * those events as they are when they continue its position in every partition, without a read),
 * when another node's append is announced, and at least every {@code poll} as a safety net (a
 * lost connection, a missed notice). Announcements come one of two ways: a {@code NOTIFY} from the
 * append transaction, heard on a listener connection that reconnects by itself and wakes the
 * follower after reconnecting; or, where {@code LISTEN} is not available or not wanted (a pooler
 * in transaction mode; Redis at hand), a notice on a {@link Backplane} that the writer publishes
 * after each commit, which wakes the follower only when it names events past its position.
 *
 * <p>Each delivered event carries the follower's running cursor (its position after the event),
 * so resuming from a delivered event's cursor continues exactly after what was delivered.
 */
final class LogFollower implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LogFollower.class.getName());
  static final int PAGE = 1000;

  private final PostgresDatabase db;
  private final Function<Cursor, List<StoredEvent>> readAll;
  private final Consumer<List<StoredEvent>> deliver;
  private final Duration poll;
  private final String node;
  private final ConcurrentLinkedQueue<List<StoredEvent>> local = new ConcurrentLinkedQueue<>();
  private final Object wake = new Object();
  private final Thread follower;
  private final Backplane backplane;
  /** Hears {@code NOTIFY}; null when notices come by the backplane. */
  private final Thread listener;
  private AutoCloseable notices;
  private boolean woken;
  private boolean remote;
  private volatile boolean running = true;
  private volatile Cursor position;
  private volatile Connection listening;

  /**
   * @param node      the payload of this node's own notifications, which it ignores
   * @param backplane where other nodes' appends are announced; null for {@code NOTIFY}
   */
  LogFollower(PostgresDatabase db, String node, Cursor start, Function<Cursor, List<StoredEvent>> readAll,
      Consumer<List<StoredEvent>> deliver, Duration poll, Backplane backplane) {
    this.db = db;
    this.node = node;
    this.position = start;
    this.readAll = readAll;
    this.deliver = deliver;
    this.poll = poll;
    this.follower = Thread.ofPlatform().name("postgres-log-follower").daemon(true).unstarted(this::follow);
    this.backplane = backplane;
    this.listener = backplane != null ? null
        : Thread.ofPlatform().name("postgres-log-listener").daemon(true).unstarted(this::listen);
  }

  void start() {
    if (backplane != null) {
      String storeId = position.storeId();
      notices = backplane.subscribe(notice -> {
        if (notice.storeId().equals(storeId) && !position.coversAll(notice)) {
          wake(true);
        }
      });
    } else {
      listener.start();
    }
    follower.start();
  }

  boolean isRunning() {
    return follower.isAlive() && (listener == null || listener.isAlive());
  }

  /** The position after the last delivered event. */
  Cursor position() {
    return position;
  }

  /** Events this node's writer just committed. */
  void committed(List<StoredEvent> events) {
    local.add(events);
    wake(false);
  }

  /** Wakes the follower; {@code byOthers}: something else may have been committed, read it. */
  private void wake(boolean byOthers) {
    synchronized (wake) {
      woken = true;
      remote |= byOthers;
      wake.notifyAll();
    }
  }

  private void follow() {
    while (running) {
      boolean read;
      synchronized (wake) {
        if (!woken) {
          try {
            wake.wait(poll.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        // Timed out (the poll), or told that others appended.
        read = !woken || remote;
        woken = false;
        remote = false;
      }
      try {
        if (!takeLocal() || read) {
          catchUp();
        }
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "following the log failed; retrying from " + position, e);
        sleep(Math.min(poll.toMillis(), 1000));
      }
    }
  }

  /**
   * Delivers this node's committed events without a read when each continues its partition right
   * after the position; false when some do not (another node committed in between), and a read
   * is needed.
   */
  private boolean takeLocal() {
    List<StoredEvent> batch;
    boolean complete = true;
    while (complete && (batch = local.poll()) != null) {
      Cursor at = position;
      List<StoredEvent> next = new ArrayList<>(batch.size());
      for (StoredEvent e : batch) {
        if (at.covers(e.partition(), e.offset())) {
          continue;
        }
        if (e.offset() != at.position(e.partition()) + 1) {
          complete = false;
          break;
        }
        at = at.advance(e.partition(), e.offset());
        next.add(StoredEvent.appended(e.tenant(), e.event(), e.envelopeJson(), e.partition(), e.offset(), at,
            e.receivedAt()));
      }
      if (!next.isEmpty()) {
        position = at;
        deliver.accept(next);
      }
    }
    return complete;
  }

  private void catchUp() {
    local.clear();
    while (running) {
      List<StoredEvent> page = readAll.apply(position);
      if (page.isEmpty()) {
        return;
      }
      position = page.getLast().cursor();
      deliver.accept(page);
      if (page.size() < PAGE) {
        return;
      }
    }
  }

  private void listen() {
    while (running) {
      try (Connection c = db.dedicatedConnection(); Statement s = c.createStatement()) {
        listening = c;
        s.execute("LISTEN \"" + db.channel() + "\"");
        // Whatever was appended while nobody listened is found by a read.
        wake(true);
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notes = pg.getNotifications((int) Math.min(poll.toMillis(), 500));
          if (notes != null) {
            for (PGNotification n : notes) {
              // This node's own commits reach the follower directly.
              if (!node.equals(n.getParameter())) {
                wake(true);
                break;
              }
            }
          }
        }
      } catch (SQLException e) {
        if (running) {
          LOG.log(System.Logger.Level.DEBUG, "the log's listener lost its connection; reconnecting", e);
          sleep(Math.min(poll.toMillis(), 1000));
        }
      } finally {
        listening = null;
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    wake(false);
    if (notices != null) {
      try {
        notices.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the backplane subscription failed", e);
      }
    }
    Connection c = listening;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the listener's connection failed", e);
      }
    }
    for (Thread t : new Thread[] {follower, listener}) {
      if (t == null) {
        continue;
      }
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
