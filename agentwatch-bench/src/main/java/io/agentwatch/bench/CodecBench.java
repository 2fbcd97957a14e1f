package io.agentwatch.bench;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;

/**
 * Per-event CPU cost of the codec steps every ingested 1 KB event goes through: parsing the
 * request's JSON into a tree (Batch does this), the timestamp, {@link EventCodec#decode} (validation and the
 * record), {@link EventCodec#encodeEnvelope} (the stored form, made once at append), and
 * {@link StoredEvent#json()} (the delivered form, made once and shared by every subscriber).
 *
 * <p>Run: {@code java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*'
 * org.openjdk.jmh.Main CodecBench} (see BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBench {

  private static final Cursor BEGINNING = Cursor.beginning("AbCdEfGhIjKlMnOp", 1);

  private byte[] json;
  private JsonNode tree;
  private Event event;
  private String envelope;
  private Instant receivedAt;
  private String ts;
  private long offset;

  @Setup
  public void setUp() {
    StringBuilder sb = new StringBuilder();
    new Envelopes("bench-codec").appendEvent(sb, 3, 123_456, "2026-11-28T16:00:00.123456Z", System.nanoTime());
    json = sb.toString().getBytes(StandardCharsets.UTF_8);
    tree = EventCodec.JSON.readTree(json);
    event = EventCodec.decode(tree);
    envelope = EventCodec.encodeEnvelope(event);
    ts = tree.get("ts").stringValue();
    receivedAt = Instant.parse("2026-11-28T16:00:00.200Z");
  }

  /** Request bytes of one event to a tree, as {@code Batch.ofJson} does per element. */
  @Benchmark
  public JsonNode parse() {
    return EventCodec.JSON.readTree(json);
  }

  /** What decode pays twice per event: once in the validator, once for the record. */
  @Benchmark
  public OffsetDateTime parseTimestamp() {
    return OffsetDateTime.parse(ts);
  }

  @Benchmark
  public Event decode() {
    return EventCodec.decode(tree);
  }

  @Benchmark
  public String encodeEnvelope() {
    return EventCodec.encodeEnvelope(event);
  }

  /** A freshly appended event's delivered form (json() caches, so each call gets a new event). */
  @Benchmark
  public String storedEventJson() {
    long o = offset++;
    return StoredEvent.appended("default", event, envelope, 0, o, BEGINNING.advance(0, o), receivedAt).json();
  }
}
