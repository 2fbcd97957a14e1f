package io.agentwatch.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Everything one {@link LoadBench} run measured; a phase not run stays null. */
final class BenchRun {

  final BenchOptions options;
  final Instant started = Instant.now();
  final int eventBytes;
  /** CPU use while the bench sent nothing: what others took from the machine. */
  CpuMeter.Share idle;
  SqliteBaseline.Result baseline;
  PhaseResult warmup;
  PhaseResult httpPeak;
  PhaseResult wsPeak;
  PhaseResult ack;
  PhaseResult delivery;
  Subscribers.Result subscribers;
  final List<IdLedger.Comparison> checks = new ArrayList<>();
  final List<String> failures = new ArrayList<>();

  BenchRun(BenchOptions options, int eventBytes) {
    this.options = options;
    this.eventBytes = eventBytes;
  }

  /** The rate the paced phases take their share of. */
  double peak() {
    return httpPeak != null ? httpPeak.eventsPerSecond() : options.peak();
  }

  boolean historyOk() {
    return checks.stream().allMatch(IdLedger.Comparison::ok);
  }
}
