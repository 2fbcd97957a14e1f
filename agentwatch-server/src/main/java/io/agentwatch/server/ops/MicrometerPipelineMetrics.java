package io.agentwatch.server.ops;

import io.agentwatch.core.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The pipeline's own numbers as Micrometer meters, scraped at {@code /actuator/prometheus}. */
public final class MicrometerPipelineMetrics implements PipelineMetrics {

  private final Counter received;
  private final Counter accepted;
  private final Counter duplicates;
  private final Counter rejected;
  private final Counter conflated;
  private final Counter gaps;
  private final Counter fellBehind;
  private final Timer ack;
  private final Timer delivery;

  public MicrometerPipelineMetrics(MeterRegistry registry) {
    received = Counter.builder("agentwatch.events.received").description("events offered for ingest")
        .register(registry);
    accepted = Counter.builder("agentwatch.events.accepted").description("events stored (acknowledged)")
        .register(registry);
    duplicates = Counter.builder("agentwatch.events.duplicates").description("events already stored, not stored again")
        .register(registry);
    rejected = Counter.builder("agentwatch.events.rejected").description("invalid events refused")
        .register(registry);
    conflated = Counter.builder("agentwatch.stream.conflated")
        .description("metric-like events replaced by a newer value in a conflating subscriber's queue")
        .register(registry);
    gaps = Counter.builder("agentwatch.stream.gaps")
        .description("streams ended with a gap notice (shutdown, revoked key, store unavailable)").register(registry);
    fellBehind = Counter.builder("agentwatch.stream.fell_behind")
        .description("times a live subscriber fell behind and went on reading from the log").register(registry);
    ack = Timer.builder("agentwatch.ingest.ack.latency").description("from receiving a batch to its durable ack")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    delivery = Timer.builder("agentwatch.delivery.latency")
        .description("from an event's receipt to its hand-over to a live subscriber (sampled)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
  }

  @Override
  public void received(int events) {
    received.increment(events);
  }

  @Override
  public void accepted(int events) {
    accepted.increment(events);
  }

  @Override
  public void duplicates(int events) {
    duplicates.increment(events);
  }

  @Override
  public void rejected(int events) {
    rejected.increment(events);
  }

  @Override
  public void acked(long nanos) {
    ack.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void delivered(long nanos) {
    delivery.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  @Override
  public void conflated() {
    conflated.increment();
  }

  @Override
  public void fellBehind() {
    fellBehind.increment();
  }

  @Override
  public void gap() {
    gaps.increment();
  }
}
