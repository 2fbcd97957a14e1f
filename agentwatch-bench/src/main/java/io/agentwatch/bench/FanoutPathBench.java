package io.agentwatch.bench;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.core.stream.SubscriberSink;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The fan-out's own cost per delivered event, without a network: one committed group of 1 KB
 * events handed to {@code subscribers} live subscriptions (whole stream, or each on one of 100
 * runs) whose sinks only take the bytes. It covers matching (the index), the subscription's hand-over
 * and the one encode of each event ({@link StoredEvent#jsonBytes()}), not the transport.
 *
 * <p>Run: {@code java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*'
 * org.openjdk.jmh.Main FanoutPathBench} (see BENCHMARKS.md, "Live delivery").
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FanoutPathBench {

  private static final String STORE = "AbCdEfGhIjKlMnOp";

  @Param({"1000"})
  int subscribers;

  @Param({"1", "20"})
  int group;

  @Param({"all", "by-run"})
  String filter;

  private Fanout fanout;
  private InMemoryEventLog log;
  private Event event;
  private String envelope;
  private long offset;
  private final Instant receivedAt = Instant.parse("2026-11-28T16:00:00.200Z");

  /** Takes the bytes of each event, as a transport would before copying them out. */
  static final class TakingSink implements SubscriberSink {
    final Blackhole hole;

    TakingSink(Blackhole hole) {
      this.hole = hole;
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void whenWritable(Runnable resume) {
      resume.run();
    }

    @Override
    public void events(List<Delivery.Item> items) {
      for (Delivery.Item item : items) {
        hole.consume(item.event().jsonBytes());
        hole.consume(item.cursor().toString());
      }
    }

    @Override
    public void gap(Cursor resumeFrom, GapReason reason) {}

    @Override
    public void reset(Cursor head) {}
  }

  @Setup(Level.Trial)
  public void setUp(Blackhole hole) {
    log = new InMemoryEventLog();
    fanout = new Fanout(log, 1024, PipelineMetrics.NONE, Clock.systemUTC(), Runnable::run, List.of(Runnable::run));
    for (int i = 0; i < subscribers; i++) {
      EventFilter f = filter.equals("all") ? EventFilter.ALL : new EventFilter("run-" + (i % 100), null, List.of());
      fanout.subscribe("default", f, null, false, new TakingSink(hole));
    }
    StringBuilder sb = new StringBuilder();
    new Envelopes("run-7").appendEvent(sb, 3, 123_456, "2026-11-28T16:00:00.123456Z", 42);
    event = EventCodec.decode(EventCodec.JSON.readTree(sb.toString().getBytes(StandardCharsets.UTF_8)));
    envelope = EventCodec.encodeEnvelope(event);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    fanout.close();
    log.close();
  }

  /** One committed group reaching every matching subscriber. */
  @Benchmark
  public void deliverOneGroup() {
    List<StoredEvent> appended = new ArrayList<>(group);
    for (int i = 0; i < group; i++) {
      long o = offset++;
      appended.add(StoredEvent.appended("default", event, envelope, 0, o, Cursor.at(STORE, o), receivedAt));
    }
    fanout.accept(appended);
  }
}
