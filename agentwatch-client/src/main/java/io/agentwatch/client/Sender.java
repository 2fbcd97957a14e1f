package io.agentwatch.client;

import io.agentwatch.client.Link.Broken;
import io.agentwatch.client.Link.Refused;
import io.agentwatch.client.Link.Reply;
import io.agentwatch.client.Link.Settled;
import io.agentwatch.client.OutboundBuffer.Entry;
import io.agentwatch.client.WebSocketLink.LinkException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;

/**
 * The client's one sending thread: takes batches from the buffer in order, one batch in flight at
 * a time, over the WebSocket when it is open and over HTTP while it is not, and settles each batch
 * from the server's answer.
 *
 * <p>One batch at a time is what keeps an agent's order across failures: a batch that is refused
 * or lost is retried before anything emitted after it is sent. Throughput comes from batching
 * instead: while a batch awaits its ack, new events gather for the next one.
 */
final class Sender implements Runnable {

  private static final Duration IDLE_PING = Duration.ofSeconds(20);
  private static final Duration MAX_WAIT = Duration.ofSeconds(1);

  private final ClientOptions options;
  private final OutboundBuffer buffer;
  private final HttpClient http;
  private final HttpLink httpLink;
  private final Consumer<JsonNode> commands;
  private final RandomGenerator random;
  private final Object sleep = new Object();
  private volatile boolean stopped;
  private volatile Transport transport = Transport.NONE;
  private volatile WebSocketLink socket;
  private volatile long connects;
  private int socketFailures;
  private int sendFailures;
  private long nextSocketAttempt = System.nanoTime();
  private long lastWrite = System.nanoTime();
  private int batchLimit;

  Sender(ClientOptions options, OutboundBuffer buffer, HttpClient http, Consumer<JsonNode> commands) {
    this.options = options;
    this.buffer = buffer;
    this.http = http;
    this.commands = commands;
    this.random = options.random();
    this.httpLink = new HttpLink(http, options.url().resolve("api/v1/events"), options.apiKey(),
        options.requestTimeout(), options.clock());
    this.batchLimit = options.maxBatchEvents();
  }

  Transport transport() {
    return transport;
  }

  long connects() {
    return connects;
  }

  @Override
  public void run() {
    if (!options.webSocket()) {
      changeTransport(Transport.HTTP, "WebSocket disabled; sending HTTP batches");
    }
    try {
      while (!stopped) {
        connectIfDue();
        Link link = socket != null ? socket : options.httpFallback() ? httpLink : null;
        if (link == null) {
          pause(untilNextSocketAttempt());
          continue;
        }
        Duration wait = socket != null ? IDLE_PING : untilNextSocketAttempt();
        List<Entry> batch = buffer.take(batchLimit, options.maxBatchBytes(), min(wait, MAX_WAIT), options.linger());
        if (batch.isEmpty()) {
          pingIfIdle();
          continue;
        }
        lastWrite = System.nanoTime();
        handle(link, batch, link.publish(batch));
      }
    } catch (InterruptedException e) {
      // Closing.
    } finally {
      WebSocketLink s = socket;
      if (s != null) {
        s.close();
      }
    }
  }

  private void connectIfDue() throws InterruptedException {
    if (socket != null || !options.webSocket() || System.nanoTime() - nextSocketAttempt < 0) {
      return;
    }
    WebSocketLink link = null;
    try {
      link = WebSocketLink.open(http, options.webSocketUri(), options.apiKey(),
          options.connectTimeout(), options.requestTimeout(), commands);
      if (options.agentId() != null) {
        link.hello(options.agentId());
      }
      socket = link;
      connects++;
      socketFailures = 0;
      lastWrite = System.nanoTime();
      changeTransport(Transport.WEBSOCKET, "connected to " + options.webSocketUri());
    } catch (LinkException e) {
      if (link != null) {
        link.close();
      }
      Duration retry = options.backoff().delay(socketFailures++, random);
      nextSocketAttempt = System.nanoTime() + retry.toNanos();
      changeTransport(options.httpFallback() ? Transport.HTTP : Transport.NONE,
          "WebSocket unavailable (" + e.getMessage() + "); next try in " + retry.toMillis() + " ms");
    }
  }

  private void handle(Link link, List<Entry> batch, Reply reply) throws InterruptedException {
    switch (reply) {
      case Settled settled -> {
        sendFailures = 0;
        batchLimit = options.maxBatchEvents();
        List<Entry> back = buffer.settle(batch, settled.acked(), settled.rejected().keySet());
        buffer.countDuplicates(settled.duplicates());
        for (int i = 0; i < batch.size(); i++) {
          Entry e = batch.get(i);
          String error = settled.rejected().get(i);
          if (error != null) {
            // The listener hears first, so whoever waits on the future finds the listener informed.
            options.listener().rejected(e.id, e.type, error);
            e.stored.completeExceptionally(
                new EventNotStoredException(e.id, e.type, EventNotStoredException.Reason.REJECTED, error));
          } else if (!back.contains(e)) {
            e.stored.complete(null);
          }
        }
      }
      case Refused refused -> {
        if (refused.status() == 413 && batch.size() > 1) {
          buffer.requeue(batch);
          batchLimit = Math.max(1, batch.size() / 2);
        } else if (refused.status() == 413) {
          buffer.settle(batch, Set.of(), List.of(0));
          Entry e = batch.get(0);
          options.listener().rejected(e.id, e.type, refused.message());
          e.stored.completeExceptionally(
              new EventNotStoredException(e.id, e.type, EventNotStoredException.Reason.REJECTED, refused.message()));
        } else {
          buffer.requeue(batch);
          retryLater(refused.message(), refused.retryAfter());
        }
      }
      case Broken broken -> {
        buffer.requeue(batch);
        if (link == socket) {
          dropSocket(broken.problem());
        } else {
          retryLater(broken.problem(), null);
        }
      }
    }
  }

  private void dropSocket(String problem) {
    WebSocketLink s = socket;
    socket = null;
    if (s != null) {
      s.close();
    }
    Duration retry = options.backoff().delay(socketFailures++, random);
    nextSocketAttempt = System.nanoTime() + retry.toNanos();
    changeTransport(options.httpFallback() ? Transport.HTTP : Transport.NONE,
        "WebSocket lost (" + problem + "); unacknowledged events will be sent again");
  }

  private void retryLater(String problem, Duration retryAfter) throws InterruptedException {
    Duration wait = options.backoff().delay(sendFailures++, retryAfter, random);
    options.listener().retrying(problem, wait);
    pause(wait);
  }

  private void pingIfIdle() throws InterruptedException {
    WebSocketLink s = socket;
    if (s == null) {
      return;
    }
    if (!s.isOpen()) {
      dropSocket(s.closedBecause());
    } else if (System.nanoTime() - lastWrite >= IDLE_PING.toNanos()) {
      lastWrite = System.nanoTime();
      try {
        s.ping();
      } catch (LinkException e) {
        dropSocket(e.getMessage());
      }
    }
  }

  private void changeTransport(Transport now, String detail) {
    Transport before = transport;
    transport = now;
    if (before != now || now != Transport.WEBSOCKET) {
      options.listener().transportChanged(now, detail);
    }
  }

  private Duration untilNextSocketAttempt() {
    if (!options.webSocket()) {
      return MAX_WAIT;
    }
    long nanos = nextSocketAttempt - System.nanoTime();
    return nanos <= 0 ? Duration.ZERO : Duration.ofNanos(nanos);
  }

  private void pause(Duration wait) throws InterruptedException {
    if (wait.isZero() || wait.isNegative()) {
      return;
    }
    synchronized (sleep) {
      if (!stopped) {
        sleep.wait(Math.max(1, wait.toMillis()));
      }
    }
  }

  /** Stops after the batch in flight: wakes every wait and closes the socket. */
  void stop() {
    stopped = true;
    synchronized (sleep) {
      sleep.notifyAll();
    }
    buffer.wake();
    WebSocketLink s = socket;
    if (s != null) {
      s.close();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
