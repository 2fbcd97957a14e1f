package io.agentwatch.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** A crowd of subscribers, one socket each, on the same run. */
final class Subscribers implements AutoCloseable {

  /**
   * @param perSubscriber events delivered to each subscriber, sorted ascending
   */
  record Result(int subscribers, long expected, long[] perSubscriber, long gaps, long errors, String firstError,
                Latency latency, double drainSeconds) {

    long min() {
      return perSubscriber.length == 0 ? 0 : perSubscriber[0];
    }

    long max() {
      return perSubscriber.length == 0 ? 0 : perSubscriber[perSubscriber.length - 1];
    }

    long total() {
      return Arrays.stream(perSubscriber).sum();
    }
  }

  private final List<SubscriberState> subscribers;

  private Subscribers(List<SubscriberState> subscribers) {
    this.subscribers = subscribers;
  }

  /**
   * Connects {@code count} subscribers, each on its own socket ({@link RawSubscriber}, or
   * {@link JdkSubscriber} when {@code jdkClient}), and waits until the server confirmed every
   * subscription.
   */
  static Subscribers open(HttpClient client, boolean jdkClient, URI base, String key, String runId, int count,
      boolean resubscribeOnGap) throws InterruptedException, IOException {
    CountDownLatch subscribed = new CountDownLatch(count);
    List<SubscriberState> list = new ArrayList<>(count);
    Subscribers crowd = new Subscribers(list);
    URI uri = LoadBench.socketUri(base);
    String filter = SubscriberState.runFilter(runId);
    try {
      for (int i = 0; i < count; i++) {
        SubscriberState s = jdkClient
            ? JdkSubscriber.connect(client, uri, key, filter, resubscribeOnGap, subscribed)
            : RawSubscriber.connect(base, key, filter, resubscribeOnGap, subscribed);
        list.add(s);
        s.subscribe(null);
      }
      if (!subscribed.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException((count - subscribed.getCount()) + " of " + count
            + " subscriptions confirmed after 30 s");
      }
    } catch (RuntimeException | InterruptedException | IOException e) {
      crowd.close();
      throw e;
    }
    return crowd;
  }

  /**
   * Waits until every subscriber has {@code expected} events, until no event arrived for
   * {@code idle}, or at most {@code max}; then reports.
   */
  Result await(long expected, Duration idle, Duration max) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + max.toNanos();
    long lastTotal = -1;
    long lastProgress = start;
    while (System.nanoTime() < deadline) {
      long total = 0;
      long least = Long.MAX_VALUE;
      for (SubscriberState s : subscribers) {
        long d = s.delivered();
        total += d;
        least = Math.min(least, d);
      }
      if (least >= expected) {
        break;
      }
      long now = System.nanoTime();
      if (total != lastTotal) {
        lastTotal = total;
        lastProgress = now;
      } else if (now - lastProgress > idle.toNanos()) {
        break;
      }
      Thread.sleep(50);
    }
    double drain = (System.nanoTime() - start) / 1e9;
    Histogram latency = Latency.newMicrosHistogram();
    long[] per = new long[subscribers.size()];
    long gaps = 0;
    long errors = 0;
    String firstError = null;
    for (int i = 0; i < per.length; i++) {
      SubscriberState s = subscribers.get(i);
      per[i] = s.delivered();
      gaps += s.gaps();
      errors += s.errors();
      firstError = firstError == null ? s.firstError() : firstError;
      s.addLatencyTo(latency);
    }
    Arrays.sort(per);
    return new Result(per.length, expected, per, gaps, errors, firstError, Latency.of(latency), drain);
  }

  @Override
  public void close() {
    for (SubscriberState s : subscribers) {
      s.close();
    }
  }
}
