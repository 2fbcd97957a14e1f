package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Small groups are inserted from parameter arrays and large ones by {@code COPY}: both must store
 * exactly the same rows, whatever characters the events carry.
 */
class EventRowsTest {

  /** Values that COPY's text format must escape, JSONB cannot hold, or PostgreSQL writes its own way. */
  private static final List<String> AWKWARD = List.of("plain", "tab\there", "line\nbreak", "carriage\rreturn",
      "back\\slash", "\\N", "\\.", "quote\"d", "nul\u0000byte", "émoji 🦜", "");
  private static final int EVENTS = EventRows.COPY_FROM + AWKWARD.size();

  private final List<PostgresDatabase> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(PostgresDatabase::close);
  }

  private static List<Event> awkwardEvents(String prefix) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      String value = AWKWARD.get(i % AWKWARD.size());
      ObjectNode data = EventCodec.JSON.createObjectNode();
      data.put("text", value);
      data.putObject("nested").put(value, i);
      Instant ts = i % 5 == 0 ? Instant.parse("-0044-03-15T12:00:00.123456789Z")
          : Instant.parse("2026-11-29T10:00:00Z").plusNanos(i * 1_000_001L);
      events.add(new Event(prefix + i, "tool.call", "agent-" + value, i % 3 == 0 ? null : "run-" + value, ts,
          null, null, data));
    }
    return events;
  }

  @Test
  void appendsOneByOneAndInOneLargeGroupStoreTheSameRows() {
    PostgresDatabase db = PostgresFixture.newDatabase();
    opened.add(db);
    try (PostgresEventLog log = PostgresEventLog.open(db)) {
      for (Event e : awkwardEvents("e")) {
        assertThat(log.append("small", List.of(e)).join().getFirst().isDuplicate()).isFalse();
      }
      List<AppendResult> bulk = log.append("bulk", awkwardEvents("e")).join();
      assertThat(bulk).noneMatch(AppendResult::isDuplicate);

      Map<String, String> small = rows(db, "small");
      assertThat(small).hasSize(EVENTS).isEqualTo(rows(db, "bulk"));
      List<StoredEvent> read = log.read("bulk", log.beginning(), EventFilter.ALL, 1000);
      assertThat(read).extracting(StoredEvent::envelopeJson)
          .containsExactlyElementsOf(awkwardEvents("e").stream().map(EventCodec::encodeEnvelope).toList());
    }
  }

  @Test
  void theHistoryOfAnotherLogStoresALargeBatchLikeSmallOnes() {
    PostgresDatabase db = PostgresDatabase.openFollowing(PostgresFixture.newConfig(), "otherlog", 2);
    opened.add(db);
    PostgresEventSink sink = new PostgresEventSink(db, Clock.systemUTC());
    Cursor cursor = Cursor.beginning("otherlog", 2);
    List<StoredEvent> small = new ArrayList<>();
    List<StoredEvent> bulk = new ArrayList<>();
    List<Event> events = awkwardEvents("e");
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      Instant at = Instant.parse("2026-11-29T10:00:00Z");
      small.add(StoredEvent.appended("small", e, EventCodec.encodeEnvelope(e), 0, i, cursor.advance(0, i), at));
      bulk.add(StoredEvent.appended("bulk", e, EventCodec.encodeEnvelope(e), 1, i, cursor.advance(1, i), at));
    }
    for (StoredEvent s : small) {
      sink.write(List.of(s));
    }
    sink.write(bulk);

    assertThat(rows(db, "small")).hasSize(EVENTS).isEqualTo(rows(db, "bulk"));
  }

  /** Every stored column but the tenant and the place in the log, by event id. */
  private static Map<String, String> rows(PostgresDatabase db, String tenant) {
    try {
      return db.read(c -> {
        Map<String, String> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, type, agent_id, run_id, ts, ts_nano, received_at,"
            + " envelope, data::text FROM events WHERE tenant = ? ORDER BY id")) {
          ps.setString(1, tenant);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              StringBuilder row = new StringBuilder();
              for (int i = 2; i <= 9; i++) {
                if (i != 7) { // received_at is the append's own time
                  row.append(rs.getString(i)).append(" | ");
                }
              }
              rows.put(rs.getString(1), row.toString());
            }
          }
        }
        return rows;
      });
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
