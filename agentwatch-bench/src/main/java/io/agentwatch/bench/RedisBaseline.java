package io.agentwatch.bench;

import io.agentwatch.model.Cursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Raw Redis Pub/Sub on this machine with the backplane's messages (a cursor's text): one
 * publishing connection, one subscribed connection, a bounded number of messages in flight, and
 * the time from publish to receipt. The floor under a backplane wake-up between two nodes.
 */
final class RedisBaseline {

  record Result(long messages, double seconds, double messagesPerSecond, Latency publishToReceive) {}

  private static final int IN_FLIGHT = 1_000;

  private final String url;

  RedisBaseline(String url) {
    this.url = url;
  }

  Result run(Duration duration) throws InterruptedException {
    RedisClient client = RedisClient.create(url);
    String channel = "agentwatch-bench:" + System.nanoTime();
    Recorder latency = new Recorder(3);
    AtomicLong received = new AtomicLong();
    Semaphore window = new Semaphore(IN_FLIGHT);
    try (StatefulRedisPubSubConnection<String, String> sub = client.connectPubSub();
         StatefulRedisConnection<String, String> pub = client.connect()) {
      sub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String from, String message) {
          long sent = Long.parseLong(message.substring(message.lastIndexOf('|') + 1));
          latency.recordValue((System.nanoTime() - sent) / 1_000);
          received.incrementAndGet();
          window.release();
        }
      });
      sub.sync().subscribe(channel);
      String cursor = Cursor.beginning("0123456789abcdef01234567", 12).advance(3, 123_456).toString();
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long sentCount = 0;
      while (System.nanoTime() < end) {
        window.acquire();
        pub.async().publish(channel, cursor + "|" + System.nanoTime());
        sentCount++;
      }
      window.tryAcquire(IN_FLIGHT, 10, TimeUnit.SECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (received.get() < sentCount) {
        System.err.println("[RedisBaseline] " + (sentCount - received.get()) + " messages not received");
      }
      return new Result(received.get(), seconds, received.get() / seconds, Latency.of(latency.getIntervalHistogram()));
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
