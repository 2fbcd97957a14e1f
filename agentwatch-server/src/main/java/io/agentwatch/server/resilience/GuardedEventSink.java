package io.agentwatch.server.resilience;

import io.agentwatch.core.store.EventSink;
import io.agentwatch.model.StoredEvent;
import java.util.List;

/**
 * An {@link EventSink} behind its backend's circuit breaker: while PostgreSQL is down the Kafka
 * persister's writes fail at once and it backs off; the topic keeps the events meanwhile.
 */
public final class GuardedEventSink implements EventSink {

  private final EventSink sink;
  private final BackendGuard guard;

  public GuardedEventSink(EventSink sink, BackendGuard guard) {
    this.sink = sink;
    this.guard = guard;
  }

  @Override
  public void write(List<StoredEvent> events) {
    guard.write(() -> sink.write(events));
  }

  @Override
  public void check() {
    guard.check(sink::check);
  }
}
