package io.agentwatch.core.log;

import io.agentwatch.core.store.EventStoreContract;
import org.junit.jupiter.api.Nested;

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
}
