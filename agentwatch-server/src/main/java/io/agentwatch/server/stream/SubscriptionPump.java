package io.agentwatch.server.stream;

import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.Subscription;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Moves one WebSocket subscription's deliveries onto the socket, on its own virtual thread. It
 * blocks on the socket when the client is slow, which only fills this subscription's queue until
 * it gets a {@code gap}. If the log cannot be read (replay during an outage), the subscription ends
 * with a {@code gap} of reason {@code unavailable} instead of falling silent.
 */
final class SubscriptionPump implements Runnable {

  private static final Duration POLL = Duration.ofSeconds(30);

  /** Where frames go: events may be buffered until {@link #flush()}, notices go out at once. */
  interface Sink {
    void raw(String json);

    void flush();

    void frame(Map<String, ?> frame);

    boolean open();
  }

  private final String id;
  private final Subscription subscription;
  private final Sink sink;
  private final Consumer<SubscriptionPump> onEnd;

  SubscriptionPump(String id, Subscription subscription, Sink sink, Consumer<SubscriptionPump> onEnd) {
    this.id = id;
    this.subscription = subscription;
    this.sink = sink;
    this.onEnd = onEnd;
  }

  String id() {
    return id;
  }

  Subscription subscription() {
    return subscription;
  }

  @Override
  public void run() {
    String quotedId = quote(id);
    Linger linger = new Linger();
    try {
      while (subscription.isOpen() && sink.open()) {
        Delivery next = subscription.next(linger.pending() ? Duration.ZERO : POLL);
        if (next == null && linger.pending()) {
          if (linger.waitMore()) {
            continue;
          }
          sink.flush();
          linger.flushed();
          continue;
        }
        switch (next) {
          case null -> { }
          case Delivery.Item item -> {
            sink.raw("{\"op\":\"event\",\"sub\":" + quotedId + ",\"cursor\":\""
                + item.cursor() + "\",\"event\":" + item.event().json() + "}");
            linger.buffered();
          }
          case Delivery.Gap gap -> sink.frame(gap(gap.resumeFrom().toString(), gap.reason()));
          case Delivery.Reset reset ->
              sink.frame(Map.of("op", "reset", "sub", id, "resumeFrom", reset.head().toString()));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      if (subscription.isOpen()) {
        sink.frame(gap(subscription.position().toString(), "unavailable"));
      }
    } finally {
      subscription.close();
      onEnd.accept(this);
    }
  }

  private Map<String, ?> gap(String resumeFrom, String reason) {
    return Map.of("op", "gap", "sub", id, "resumeFrom", resumeFrom, "reason", reason);
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }
}
