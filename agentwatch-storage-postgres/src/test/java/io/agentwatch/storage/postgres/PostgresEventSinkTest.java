package io.agentwatch.storage.postgres;

import static io.agentwatch.core.TestEvents.event;
import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventSink;
import io.agentwatch.core.store.EventSinkContract;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** History fed by another log: the sink's contract, and history paged by that log's cursors. */
class PostgresEventSinkTest {

  private static final String LOG = "kafkalog1";
  private final List<PostgresDatabase> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(PostgresDatabase::close);
  }

  private PostgresDatabase following(PostgresConfig config, String log, int partitions) {
    PostgresDatabase db = PostgresDatabase.openFollowing(config, log, partitions);
    opened.add(db);
    return db;
  }

  private static StoredEvent fromLog(String tenant, Event e, int partition, long offset) {
    return StoredEvent.appended(tenant, e, EventCodec.encodeEnvelope(e), partition, offset,
        Cursor.beginning(LOG, 3).advance(partition, offset), Instant.parse("2026-11-28T16:00:01Z"));
  }

  @Nested
  class AsEventSink extends EventSinkContract {
    private PostgresDatabase db;

    @Override
    protected EventSink newSink() {
      db = PostgresDatabase.openFollowing(PostgresFixture.newConfig(), "sourcelog", 3);
      return new PostgresEventSink(db, Clock.systemUTC());
    }

    @Override
    protected List<String> storedIds(EventSink sink, String tenant) {
      return new PostgresEventStore(db).query(tenant, new EventQuery(EventFilter.ALL, null, null, null, 1000))
          .events().stream().map(e -> e.event().id()).toList();
    }

    @AfterEach
    void closeDatabase() {
      db.close();
    }
  }

  @Test
  void historyPagesByTheFollowedLogsCursorsAndFindsARunInAnyPartition() {
    PostgresDatabase db = following(PostgresFixture.newConfig(), LOG, 3);
    PostgresEventSink sink = new PostgresEventSink(db, Clock.systemUTC());
    // Kafka places runs by its own hash: the same run may sit in a partition this module would not pick.
    sink.write(List.of(fromLog("t1", event("a", "log", "w1", "r1"), 2, 10),
        fromLog("t1", event("b", "log", "w1", "r1"), 2, 12), fromLog("t1", event("c", "log", "w2", "r2"), 0, 7)));
    PostgresEventStore history = new PostgresEventStore(db);

    EventPage first = history.query("t1", new EventQuery(new EventFilter("r1", null, List.of()), null, null, null, 1));
    assertThat(first.events()).extracting(e -> e.event().id()).containsExactly("a");
    assertThat(first.next().storeId()).isEqualTo(LOG);
    assertThat(first.next().position(2)).isEqualTo(10);
    EventPage second = history.query("t1",
        new EventQuery(new EventFilter("r1", null, List.of()), null, null, first.next(), 10));
    assertThat(second.events()).extracting(e -> e.event().id()).containsExactly("b");

    // A cursor of the followed log past what the history holds yet is not stale: it lags the log.
    Cursor ahead = Cursor.beginning(LOG, 3).advance(1, 500);
    assertThat(history.query("t1", new EventQuery(EventFilter.ALL, null, null, ahead, 10)).events())
        .extracting(e -> e.event().id()).containsExactly("a", "b", "c");
    assertThatThrownBy(() -> history.query("t1", new EventQuery(EventFilter.ALL, null, null,
        Cursor.beginning("otherlog", 3), 10))).isInstanceOf(StaleCursorException.class);
  }

  @Test
  void aStoreFollowsOneLogOnlyAndNeverBesideItsOwn() {
    PostgresConfig config = PostgresFixture.newConfig();
    following(config, LOG, 3).close();
    assertThat(following(config, LOG, 3).storeId()).as("the same log again").isEqualTo(LOG);
    assertThatThrownBy(() -> following(config, "otherlog", 3)).isInstanceOf(UnavailableException.class)
        .hasMessageContaining("new schema");
    assertThatThrownBy(() -> PostgresDatabase.open(config)).isInstanceOf(UnavailableException.class)
        .hasMessageContaining("agentwatch.log=kafka");

    PostgresConfig own = PostgresFixture.newConfig();
    try (PostgresDatabase db = PostgresDatabase.open(own); PostgresEventLog log = PostgresEventLog.open(db)) {
      log.append("t1", List.of(log("mine", "w1"))).join();
    }
    assertThatThrownBy(() -> following(own, LOG, 3)).isInstanceOf(UnavailableException.class)
        .hasMessageContaining("its own");
  }
}
