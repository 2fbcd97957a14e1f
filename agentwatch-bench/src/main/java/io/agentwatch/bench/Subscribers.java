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
  private AutoCloseable readers;

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
   * Connects {@code count} lean subscribers ({@link RawSubscriber}, or {@link RawSseSubscriber}) to
   * events matching {@code filter} (a filter object as JSON; for SSE, {@code {}} or one run's), and
   * waits until every subscription is confirmed.
   */
  static Subscribers open(URI base, String key, FanoutBench.Transport transport, int count, String filter,
      String runId) throws InterruptedException, IOException {
    NioSubscribers nio = new NioSubscribers(2);
    try {
      Subscribers crowd = open(count, i -> switch (transport) {
        case WS, WS_BATCH -> nio.webSocket(base, key, filter, transport == FanoutBench.Transport.WS_BATCH);
        case SSE -> nio.sse(base, key, filter.equals("{}") ? "/api/v1/stream?batch=true"
            : "/api/v1/stream?batch=true&runId=" + runId);
      });
      crowd.readers = nio;
      return crowd;
    } catch (IOException | InterruptedException | RuntimeException e) {
      nio.close();
      throw e;
    }
  }

  /** {@code count} WebSocket subscribers, the i-th following run {@code <runId>-<i mod runs>}. */
  static Subscribers openSpread(URI base, String key, int count, String runId, int runs)
      throws InterruptedException, IOException {
    NioSubscribers nio = new NioSubscribers(2);
    try {
      Subscribers crowd = open(count, i -> nio.webSocket(base, key,
          SubscriberState.runFilter(SpreadEnvelopes.run(runId, i % runs)), false));
      crowd.readers = nio;
      return crowd;
    } catch (IOException | InterruptedException | RuntimeException e) {
      nio.close();
      throw e;
    }
  }

  /**
   * {@code count} lean subscribers each reading its own socket on a virtual thread
   * ({@link RawSubscriber}), which can be paused or slowed one by one.
   */
  static Subscribers openEach(URI base, String key, int count, String filter) throws InterruptedException, IOException {
    return open(count, i -> RawSubscriber.connect(base, key, filter, false, false, null, 16 * 1024));
  }

  /**
   * {@code count} authenticated connections that only wait: WebSockets without a subscription, or
   * SSE streams (of a run nobody sends to), on small client buffers.
   */
  static Subscribers openIdle(URI base, String key, FanoutBench.Transport transport, int count)
      throws InterruptedException, IOException {
    return open(count, i -> transport == FanoutBench.Transport.SSE
        ? RawSseSubscriber.connect(base, key, "/api/v1/stream?runId=idle", null, 1024)
        : RawSubscriber.connect(base, key, "{}", false, false, null, 1024), transport != FanoutBench.Transport.SSE);
  }

  interface Connector {
    SubscriberState connect(int index) throws IOException;
  }

  private static Subscribers open(int count, Connector connector) throws InterruptedException, IOException {
    return open(count, connector, false);
  }

  /**
   * Connects and subscribes each (unless {@code connectOnly}), a few at a time, and waits for the
   * confirmations. The members keep the order of their indexes.
   */
  private static Subscribers open(int count, Connector connector, boolean connectOnly)
      throws InterruptedException, IOException {
    CountDownLatch subscribed = new CountDownLatch(connectOnly ? 0 : count);
    SubscriberState[] members = new SubscriberState[count];
    try (var executor = java.util.concurrent.Executors.newFixedThreadPool(16)) {
      List<java.util.concurrent.Future<?>> opening = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        opening.add(executor.submit(() -> {
          SubscriberState s = connector.connect(index);
          s.confirmTo(subscribed);
          members[index] = s;
          if (!connectOnly) {
            s.subscribe(null);
          }
          return null;
        }));
      }
      for (var f : opening) {
        f.get();
      }
      if (!subscribed.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException((count - subscribed.getCount()) + " of " + count
            + " subscriptions confirmed after 60 s");
      }
    } catch (java.util.concurrent.ExecutionException e) {
      closeAll(members);
      throw new IOException("cannot open " + count + " connections: " + e.getCause(), e.getCause());
    } catch (RuntimeException | InterruptedException e) {
      closeAll(members);
      throw e;
    }
    return new Subscribers(List.of(members));
  }

  private static void closeAll(SubscriberState[] members) {
    for (SubscriberState s : members) {
      if (s != null) {
        s.close();
      }
    }
  }

  List<SubscriberState> members() {
    return subscribers;
  }

  /** From now on every member counts only events sent at or after {@code sentNanos}. */
  void measureFrom(long sentNanos) {
    subscribers.forEach(s -> s.measureFrom(sentNanos));
  }

  /**
   * How many members answer within {@code wait}: a WebSocket its {@code ping} with a
   * {@code pong}, an SSE stream with a heartbeat comment.
   */
  long pingAll(FanoutBench.Transport transport, Duration wait) throws InterruptedException {
    if (transport != FanoutBench.Transport.SSE) {
      subscribers.forEach(s -> ((RawSubscriber) s).ping());
    }
    long deadline = System.nanoTime() + wait.toNanos();
    long answered = 0;
    while (System.nanoTime() < deadline) {
      answered = subscribers.stream().filter(s -> transport == FanoutBench.Transport.SSE
          ? ((RawSseSubscriber) s).heartbeats() > 0 : s.pongs() > 0).count();
      if (answered == subscribers.size()) {
        break;
      }
      Thread.sleep(200);
    }
    return answered;
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
    if (readers != null) {
      try {
        readers.close();
      } catch (Exception e) {
        // Closing anyway.
      }
    }
  }
}
