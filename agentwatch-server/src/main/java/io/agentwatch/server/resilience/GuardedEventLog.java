package io.agentwatch.server.resilience;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * An {@link EventLog} behind its backend's {@link BackendGuard}: appends go through the circuit
 * breaker (never retried here, so a producer's order holds), reads are retried and then go through
 * it, and the live tail is the log's own. The contract is the wrapped log's, plus: while the
 * backend is down every call fails fast with a {@link BackendUnavailableException}.
 */
public final class GuardedEventLog implements EventLog {

  private final EventLog log;
  private final BackendGuard guard;

  public GuardedEventLog(EventLog log, BackendGuard guard) {
    this.log = log;
    this.guard = guard;
  }

  @Override
  public String storeId() {
    return log.storeId();
  }

  @Override
  public Cursor head() {
    return guard.read(log::head);
  }

  @Override
  public Cursor beginning() {
    return log.beginning();
  }

  @Override
  public CompletableFuture<List<AppendResult>> append(String tenant, List<Event> events) {
    return guard.writeAsync(() -> log.append(tenant, events));
  }

  @Override
  public List<StoredEvent> read(String tenant, Cursor after, EventFilter filter, int limit) {
    return guard.read(() -> log.read(tenant, after, filter, limit));
  }

  @Override
  public List<StoredEvent> readAll(Cursor after, int limit) {
    return guard.read(() -> log.readAll(after, limit));
  }

  @Override
  public AutoCloseable tail(Consumer<List<StoredEvent>> listener) {
    return log.tail(listener);
  }

  @Override
  public void check() {
    guard.check(log::check);
  }

  @Override
  public void close() {
    log.close();
  }
}
