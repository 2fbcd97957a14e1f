package io.agentwatch.kafka;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.model.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import tools.jackson.core.JacksonException;

/**
 * The record form of an event. The value is the envelope JSON exactly as
 * {@link EventCodec#encodeEnvelope} made it (what the SQLite log stores); headers carry what the
 * server added and what readers filter on, so reads never parse JSON:
 * {@code aw-tenant}, {@code aw-id}, {@code aw-type}, {@code aw-agent}, {@code aw-run} (when the
 * event has a run) and {@code aw-received} (epoch microseconds, 8 bytes big-endian). The key is
 * the tenant and the run id, or the agent id when there is no run, so one agent's events of a run
 * share a partition and keep their order. The record timestamp is the receive time.
 */
final class Records {

  static final String TENANT = "aw-tenant";
  static final String ID = "aw-id";
  static final String TYPE = "aw-type";
  static final String AGENT = "aw-agent";
  static final String RUN = "aw-run";
  static final String RECEIVED = "aw-received";

  /** What the headers say about a record; enough to route, filter and deduplicate it. */
  record Meta(String tenant, String id, String type, String agentId, String runId, Instant receivedAt) {

    boolean matches(String wantedTenant, EventFilter filter) {
      return tenant.equals(wantedTenant)
          && (filter.runId() == null || filter.runId().equals(runId))
          && (filter.agentId() == null || filter.agentId().equals(agentId))
          && filter.matchesType(type);
    }

    String key() {
      return tenant + '\u0000' + id;
    }
  }

  private Records() {}

  static byte[] key(String tenant, Event e) {
    String partitionKey = e.runId() != null ? tenant + "\u0000r" + e.runId() : tenant + "\u0000a" + e.agentId();
    return partitionKey.getBytes(StandardCharsets.UTF_8);
  }

  static ProducerRecord<byte[], byte[]> record(String topic, String tenant, Event e, String envelope, Instant receivedAt) {
    List<Header> headers = new ArrayList<>(6);
    headers.add(text(TENANT, tenant));
    headers.add(text(ID, e.id()));
    headers.add(text(TYPE, e.type()));
    headers.add(text(AGENT, e.agentId()));
    if (e.runId() != null) {
      headers.add(text(RUN, e.runId()));
    }
    headers.add(new RecordHeader(RECEIVED, ByteBuffer.allocate(8).putLong(micros(receivedAt)).array()));
    return new ProducerRecord<>(topic, null, receivedAt.toEpochMilli(), key(tenant, e),
        envelope.getBytes(StandardCharsets.UTF_8), headers);
  }

  /**
   * The headers of {@code r}.
   *
   * @throws PoisonRecordException when a header is missing or malformed
   */
  static Meta meta(ConsumerRecord<byte[], byte[]> r) {
    String tenant = required(r, TENANT);
    String id = required(r, ID);
    String type = required(r, TYPE);
    String agent = required(r, AGENT);
    Header run = r.headers().lastHeader(RUN);
    Header received = r.headers().lastHeader(RECEIVED);
    if (received == null || received.value() == null || received.value().length != 8) {
      throw new PoisonRecordException("header " + RECEIVED + " must be 8 bytes of epoch microseconds");
    }
    long micros = ByteBuffer.wrap(received.value()).getLong();
    return new Meta(tenant, id, type, agent, run == null ? null : decode(run.value()),
        Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L));
  }

  /** A log event read back, trusting the value to be the envelope this log wrote. */
  static StoredEvent stored(ConsumerRecord<byte[], byte[]> r, Meta meta, Cursor cursor) {
    return StoredEvent.read(meta.tenant(), new String(r.value(), StandardCharsets.UTF_8), r.partition(), r.offset(),
        cursor, meta.receivedAt());
  }

  /**
   * A log event read back by a follower that hands it on: the value is validated as an envelope and
   * must agree with the headers.
   *
   * @throws PoisonRecordException saying what is wrong with the record
   */
  static StoredEvent storedStrictly(ConsumerRecord<byte[], byte[]> r, Cursor cursor) {
    Meta meta = meta(r);
    if (r.value() == null) {
      throw new PoisonRecordException("the record has no value");
    }
    String json = new String(r.value(), StandardCharsets.UTF_8);
    Event event;
    try {
      event = EventCodec.decode(EventCodec.JSON.readTree(json));
    } catch (InvalidEventException e) {
      throw new PoisonRecordException("the value is not a valid event envelope: " + e.getMessage());
    } catch (JacksonException e) {
      throw new PoisonRecordException("the value is not JSON: " + e.getOriginalMessage());
    }
    if (!event.id().equals(meta.id()) || !event.agentId().equals(meta.agentId())) {
      throw new PoisonRecordException("the headers name event " + meta.id() + " of agent " + meta.agentId()
          + " but the value holds event " + event.id() + " of agent " + event.agentId());
    }
    return StoredEvent.read(meta.tenant(), json, r.partition(), r.offset(), cursor, meta.receivedAt());
  }

  static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
  }

  private static RecordHeader text(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String required(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    if (h == null || h.value() == null || h.value().length == 0) {
      throw new PoisonRecordException("header " + name + " is missing");
    }
    return decode(h.value());
  }

  private static String decode(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
