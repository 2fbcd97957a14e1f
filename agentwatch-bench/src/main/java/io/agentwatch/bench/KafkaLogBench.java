package io.agentwatch.bench;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.IdLedger;
import io.agentwatch.kafka.KafkaEventLog;
import io.agentwatch.kafka.KafkaLogConfig;
import io.agentwatch.model.Event;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Durable appends per second through {@link KafkaEventLog}: {@code producers} threads (one agent
 * each) append batches of {@code batch} events and wait for each acknowledgement, which comes
 * after the group's Kafka transaction committed with {@code acks=all}, read-committed readers can
 * see it, and the ids are confirmed in the ledger. Events are built directly, without JSON,
 * so the producers spend their time in the log.
 */
final class KafkaLogBench {

  /** @param appendToAck time from {@code append} to its future completing, per call */
  record Result(String ledger, long events, double seconds, double eventsPerSecond, Latency appendToAck) {}

  private final KafkaLogConfig config;

  KafkaLogBench(KafkaLogConfig config) {
    this.config = config;
  }

  Result run(String ledgerName, IdLedger ledger, int producers, int batch, Duration duration) throws InterruptedException {
    ScaleOutEvents source = new ScaleOutEvents("kl" + Long.toString(System.nanoTime(), 36));
    Recorder appends = new Recorder(3);
    AtomicLong acked = new AtomicLong();
    try (KafkaEventLog log = KafkaEventLog.open(config, ledger, Clock.systemUTC())) {
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int agent = p;
        threads.add(Thread.ofPlatform().name("kafka-log-bench-" + p).start(() -> {
          long seq = 0;
          while (System.nanoTime() < end) {
            List<Event> events = source.events(agent, seq, batch);
            seq += batch;
            long sent = System.nanoTime();
            List<AppendResult> results = log.append(ScaleOutEvents.TENANT, events).join();
            appends.recordValue((System.nanoTime() - sent) / 1_000);
            acked.addAndGet(results.stream().filter(r -> !r.isDuplicate()).count());
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(ledgerName, acked.get(), seconds, acked.get() / seconds, Latency.of(appends.getIntervalHistogram()));
    }
  }
}
