package io.agentwatch.core.log;

import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventSink;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * An {@link EventLog} and {@link EventStore} in memory, for tests and for trying things out.
 * Single partition; "durable" as long as the process lives. As an {@link EventSink} it takes the
 * events of another log (keeping their tenant, envelope and receive time, giving them positions
 * of its own), as a history store fed by a follower of that log would.
 */
public final class InMemoryEventLog implements EventLog, EventStore, EventSink {

  private final String storeId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final Clock clock;
  private final List<StoredEvent> events = new ArrayList<>();
  private final Set<String> keys = new HashSet<>();
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "in-memory-log-notifier");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;

  public InMemoryEventLog() {
    this(Clock.systemUTC());
  }

  public InMemoryEventLog(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String storeId() {
    return storeId;
  }

  @Override
  public synchronized Cursor head() {
    return Cursor.at(storeId, events.size() - 1);
  }

  @Override
  public Cursor beginning() {
    return Cursor.beginning(storeId, 1);
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> batch) {
    if (closed) {
      return CompletableFuture.failedFuture(new UnavailableException("log is closed"));
    }
    List<String> envelopes = batch.stream().map(EventCodec::encodeEnvelope).toList();
    List<AppendResult> results = new ArrayList<>(batch.size());
    List<StoredEvent> appended = new ArrayList<>(batch.size());
    synchronized (this) {
      Instant now = clock.instant();
      for (int i = 0; i < batch.size(); i++) {
        Event e = batch.get(i);
        if (!keys.add(tenant + '\u0000' + e.id())) {
          results.add(AppendResult.duplicate(e.id()));
          continue;
        }
        long offset = events.size();
        StoredEvent stored =
            StoredEvent.appended(tenant, e, envelopes.get(i), 0, offset, Cursor.at(storeId, offset), now);
        events.add(stored);
        appended.add(stored);
        results.add(AppendResult.accepted(stored));
      }
      if (!appended.isEmpty()) {
        // Submitted under the lock so notifications keep log order.
        notifier.execute(() -> listeners.forEach(l -> l.accept(appended)));
      }
    }
    return CompletableFuture.completedFuture(results);
  }

  @Override
  public void write(List<StoredEvent> batch) {
    if (closed) {
      throw new UnavailableException("log is closed");
    }
    List<StoredEvent> appended = new ArrayList<>(batch.size());
    synchronized (this) {
      for (StoredEvent e : batch) {
        if (keys.add(e.tenant() + '\u0000' + e.event().id())) {
          long offset = events.size();
          StoredEvent stored = StoredEvent.read(e.tenant(), e.envelopeJson(), 0, offset, Cursor.at(storeId, offset),
              e.receivedAt());
          events.add(stored);
          appended.add(stored);
        }
      }
      if (!appended.isEmpty()) {
        notifier.execute(() -> listeners.forEach(l -> l.accept(appended)));
      }
    }
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    requireOwn(after);
    List<StoredEvent> out = new ArrayList<>();
    synchronized (this) {
      for (int i = (int) after.position(0) + 1; i < events.size() && out.size() < limit; i++) {
        StoredEvent e = events.get(i);
        if (e.tenant().equals(tenant) && filter.matches(e)) {
          out.add(e);
        }
      }
    }
    return out;
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    requireOwn(after);
    synchronized (this) {
      int from = (int) after.position(0) + 1;
      return from >= events.size() ? List.of()
          : List.copyOf(events.subList(from, Math.min(events.size(), from + limit)));
    }
  }

  @Override
  public EventPage query(String tenant, EventQuery query) {
    Cursor after = query.after() == null ? beginning() : query.after();
    requireOwn(after);
    List<StoredEvent> out = new ArrayList<>();
    boolean more = false;
    synchronized (this) {
      for (int i = (int) after.position(0) + 1; i < events.size(); i++) {
        StoredEvent e = events.get(i);
        if (e.tenant().equals(tenant) && query.filter().matches(e) && query.inTimeRange(e.event().ts())) {
          if (out.size() == query.limit()) {
            more = true;
            break;
          }
          out.add(e);
        }
      }
    }
    return new EventPage(out, more ? out.getLast().cursor() : null);
  }

  private void requireOwn(Cursor cursor) {
    Cursor head = head();
    if (cursor.isStaleFor(head)) {
      throw new StaleCursorException(cursor, head);
    }
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void check() {
    if (closed) {
      throw new UnavailableException("log is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
    notifier.shutdown();
  }
}
