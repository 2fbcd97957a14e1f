package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventLogContract;
import io.agentwatch.core.store.EventStoreContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

class PostgresEventLogTest {

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  private PostgresDatabase newDatabase() {
    PostgresDatabase db = PostgresFixture.newDatabase();
    opened.add(db);
    return db;
  }

  @Nested
  class AsEventLog extends EventLogContract {
    @Override
    protected EventLog newLog() {
      return PostgresEventLog.open(newDatabase());
    }
  }

  @Nested
  class AsEventStore extends EventStoreContract {
    @Override
    protected LogAndStore newLogAndStore() {
      PostgresDatabase db = newDatabase();
      return new LogAndStore(PostgresEventLog.open(db), new PostgresEventStore(db));
    }
  }
}
