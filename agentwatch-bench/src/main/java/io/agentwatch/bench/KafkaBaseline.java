package io.agentwatch.bench;

import io.agentwatch.model.Event;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What Kafka alone does on this machine with the records the log writes: one idempotent producer,
 * {@code acks=all}, lz4, no transactions, records sent as fast as the producer takes them with a
 * bounded number in flight. No ledger, no JSON, no visibility wait: the ceiling {@link KafkaLogBench}
 * can approach.
 */
final class KafkaBaseline {

  /** @param sendToAck time from {@code send} to Kafka's acknowledgement of each record */
  record Result(long records, double seconds, double recordsPerSecond, Latency sendToAck) {}

  private static final int IN_FLIGHT = 20_000;

  private final String bootstrap;

  KafkaBaseline(String bootstrap) {
    this.bootstrap = bootstrap;
  }

  Result run(String topic, Duration duration) throws InterruptedException {
    ScaleOutEvents source = new ScaleOutEvents("kb" + Long.toString(System.nanoTime(), 36));
    // Records are built before timing: this measures the producer and the broker only.
    List<Event> events = source.events(0, 0, 20_000);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Recorder acks = new Recorder(3);
    Semaphore window = new Semaphore(IN_FLIGHT);
    AtomicLong acked = new AtomicLong();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      int i = 0;
      while (System.nanoTime() < end) {
        Event e = events.get(i++ % events.size());
        window.acquire();
        long sent = System.nanoTime();
        producer.send(ScaleOutEvents.record(topic, e), (m, failure) -> {
          if (failure == null) {
            acked.incrementAndGet();
            acks.recordValue((System.nanoTime() - sent) / 1_000);
          }
          window.release();
        });
      }
      producer.flush();
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(acked.get(), seconds, acked.get() / seconds, Latency.of(acks.getIntervalHistogram()));
    }
  }
}
