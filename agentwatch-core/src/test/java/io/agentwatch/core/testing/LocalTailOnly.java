package io.agentwatch.core.testing;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One node's handle on a log shared with other nodes: like a database, its tail hears only the
 * appends made through this handle. Closing it leaves the shared log open.
 */
public final class LocalTailOnly implements EventLog {
  private final EventLog shared;
  private final List<Consumer<List<StoredEvent>>> listeners = new CopyOnWriteArrayList<>();

  public LocalTailOnly(EventLog shared) {
    this.shared = shared;
  }

  @Override
  public String storeId() {
    return shared.storeId();
  }

  @Override
  public Cursor head() {
    return shared.head();
  }

  @Override
  public Cursor beginning() {
    return shared.beginning();
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
    return shared.append(tenant, events).thenApply(results -> {
      List<StoredEvent> stored = results.stream().filter(r -> !r.isDuplicate()).map(AppendResult::stored).toList();
      listeners.forEach(l -> l.accept(stored));
      return results;
    });
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    return shared.read(tenant, after, filter, limit);
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    return shared.readAll(after, limit);
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void check() {
    shared.check();
  }

  @Override
  public void close() {}
}
