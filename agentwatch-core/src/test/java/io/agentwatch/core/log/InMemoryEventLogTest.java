package io.agentwatch.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.store.EventSink;
import io.agentwatch.core.store.EventSinkContract;
import io.agentwatch.core.store.EventStoreContract;
import io.agentwatch.model.StoredEvent;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InMemoryEventLogTest {

  @Nested
  class AsEventLog extends EventLogContract {
    @Override
    protected EventLog newLog() {
      return new InMemoryEventLog();
    }
  }

  @Nested
  class AsEventStore extends EventStoreContract {
    @Override
    protected LogAndStore newLogAndStore() {
      InMemoryEventLog log = new InMemoryEventLog();
      return new LogAndStore(log, log);
    }
  }

  @Nested
  class AsEventSink extends EventSinkContract {
    @Override
    protected EventSink newSink() {
      return new InMemoryEventLog();
    }

    @Override
    protected List<String> storedIds(EventSink sink, String tenant) {
      InMemoryEventLog log = (InMemoryEventLog) sink;
      return log.read(tenant, log.beginning(), EventFilter.ALL, 1_000).stream().map(e -> e.event().id()).toList();
    }

    @Test
    void writtenEventsKeepTheirReceiveTimeAndGetPositionsOfThisLog() {
      InMemoryEventLog log = new InMemoryEventLog();
      StoredEvent source = fromLog("t1", "a", 2, 41);
      log.write(List.of(source));

      StoredEvent kept = log.read("t1", log.beginning(), EventFilter.ALL, 10).getFirst();
      assertThat(kept.receivedAt()).isEqualTo(source.receivedAt());
      assertThat(kept.envelopeJson()).isEqualTo(source.envelopeJson());
      assertThat(kept.cursor().storeId()).isEqualTo(log.storeId());
      assertThat(kept.offset()).isZero();
    }
  }
}
