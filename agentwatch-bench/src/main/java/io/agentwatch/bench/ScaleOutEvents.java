package io.agentwatch.bench;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import tools.jackson.databind.node.ObjectNode;

/**
 * The scale-out benches' events: the bench's ~1 KB {@code log} events of {@link #AGENTS} agents
 * in one run, as decoded {@link Event}s (for the log) and as the very records the Kafka log writes
 * for them (for the raw-producer baseline): same key, headers and envelope value.
 */
final class ScaleOutEvents {

  static final int AGENTS = 8;
  static final String TENANT = "bench";

  private final String runId;
  /** One bench event's data, decoded once and shared (events never change their data). */
  private final ObjectNode data;

  ScaleOutEvents(String runId) {
    this.runId = runId;
    StringBuilder sb = new StringBuilder(Envelopes.MESSAGE_CHARS + 256);
    new Envelopes(runId).appendEvent(sb, 0, 0, Instant.now().toString(), System.nanoTime());
    this.data = (ObjectNode) EventCodec.decode(EventCodec.JSON.readTree(sb.toString())).data();
  }

  /** {@code count} ~1 KB events of {@code agent} with ids {@code <run>.<agent>.<seq>}, seqs {@code firstSeq..}. */
  List<Event> events(int agent, long firstSeq, int count) {
    Instant ts = Instant.now();
    List<Event> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(new Event(runId + "." + agent + "." + (firstSeq + i), "log", "agent-" + agent, runId, ts, null, null,
          data));
    }
    return out;
  }

  /** The record the Kafka log writes for {@code e}. */
  static ProducerRecord<byte[], byte[]> record(String topic, Event e) {
    Instant receivedAt = Instant.now();
    List<Header> headers = List.of(
        text("aw-tenant", TENANT), text("aw-id", e.id()), text("aw-type", e.type()), text("aw-agent", e.agentId()),
        text("aw-run", e.runId()),
        new RecordHeader("aw-received", ByteBuffer.allocate(8)
            .putLong(receivedAt.getEpochSecond() * 1_000_000 + receivedAt.getNano() / 1_000).array()));
    byte[] key = (TENANT + "\u0000r" + e.runId()).getBytes(StandardCharsets.UTF_8);
    return new ProducerRecord<>(topic, null, receivedAt.toEpochMilli(), key,
        EventCodec.encodeEnvelope(e).getBytes(StandardCharsets.UTF_8), headers);
  }

  private static Header text(String name, String value) {
    return new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
