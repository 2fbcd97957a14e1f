package io.agentwatch.core.store;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link EventSink} contract: each adapter binds a fresh, empty sink and a way to read back
 * what one tenant's events it holds, in the order written.
 */
public abstract class EventSinkContract {

  private static final Instant RECEIVED = Instant.parse("2026-11-28T16:00:01.123456Z");

  protected abstract EventSink newSink() throws Exception;

  /** The ids of {@code tenant}'s events in {@code sink}, in the order written. */
  protected abstract List<String> storedIds(EventSink sink, String tenant) throws Exception;

  /** An event as another log (three partitions) holds it. */
  protected static StoredEvent fromLog(String tenant, String id, int partition, long offset) {
    Event e = log(id, "w1");
    return StoredEvent.appended(tenant, e, EventCodec.encodeEnvelope(e), partition, offset,
        Cursor.beginning("sourcelog", 3).advance(partition, offset), RECEIVED);
  }

  @Test
  void writtenEventsAreKeptPerTenantInOrder() throws Exception {
    EventSink sink = newSink();
    sink.write(List.of(fromLog("t1", "a", 0, 0), fromLog("t2", "x", 1, 0), fromLog("t1", "b", 2, 0)));
    sink.write(List.of(fromLog("t1", "c", 0, 1)));

    assertThat(storedIds(sink, "t1")).containsExactly("a", "b", "c");
    assertThat(storedIds(sink, "t2")).containsExactly("x");
  }

  @Test
  void anEventHandedAgainIsWrittenOnce() throws Exception {
    EventSink sink = newSink();
    sink.write(List.of(fromLog("t1", "a", 0, 0), fromLog("t1", "b", 0, 1)));
    sink.write(List.of(fromLog("t1", "b", 0, 1), fromLog("t1", "c", 0, 2), fromLog("t1", "c", 0, 3)));

    assertThat(storedIds(sink, "t1")).containsExactly("a", "b", "c");
  }

  @Test
  void theSameIdInTwoTenantsIsTwoEvents() throws Exception {
    EventSink sink = newSink();
    sink.write(List.of(fromLog("t1", "a", 0, 0), fromLog("t2", "a", 0, 1)));

    assertThat(storedIds(sink, "t1")).containsExactly("a");
    assertThat(storedIds(sink, "t2")).containsExactly("a");
  }

  @Test
  void anEmptyBatchWritesNothing() throws Exception {
    EventSink sink = newSink();
    sink.write(List.of());

    assertThat(storedIds(sink, "t1")).isEmpty();
  }
}
