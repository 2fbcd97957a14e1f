package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * What one subscriber counts, whatever client reads its socket. For each {@code event} frame it
 * records now minus the producer's {@code sentNanos} (same JVM, same clock): ingest-to-delivery
 * latency, including the durable commit. Other frames are parsed; on a {@code gap} it counts it
 * and, if asked to, subscribes again from the gap's cursor, as a real client would. Thread-safe.
 */
abstract class SubscriberState {

  static final String EVENT_PREFIX = "{\"op\":\"event\"";

  private final String filter;
  private final boolean resubscribeOnGap;
  private final CountDownLatch subscribed;
  private final Histogram latency = Latency.newMicrosHistogram();
  private long delivered;
  private long sentFrom = Long.MIN_VALUE;
  private long gaps;
  private long errors;
  private String firstError;
  private int subscriptions;
  private boolean confirmed;

  /** @param filter the subscription's filter object as JSON, e.g. {@link #runFilter} */
  SubscriberState(String filter, boolean resubscribeOnGap, CountDownLatch subscribed) {
    this.filter = filter;
    this.resubscribeOnGap = resubscribeOnGap;
    this.subscribed = subscribed;
  }

  /** Sends one text frame; frames are sent one at a time. */
  abstract void send(String frame);

  /** Closes the socket; never throws. */
  abstract void close();

  /** The filter of one run's events. */
  static String runFilter(String runId) {
    return "{\"runId\":\"" + runId + "\"}";
  }

  /** Subscribes, live ({@code after} null) or from a cursor. */
  final synchronized void subscribe(String after) {
    send("{\"op\":\"subscribe\",\"id\":\"s" + (subscriptions++) + "\",\"filter\":" + filter
        + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
  }

  /** An {@code event} frame arrived carrying {@code sentNanos} (-1 when it had none). */
  final synchronized void event(long sentNanos) {
    if (sentFrom != Long.MIN_VALUE && sentNanos < sentFrom) {
      return;
    }
    if (sentNanos != -1) {
      latency.recordValue(Math.max(0, (System.nanoTime() - sentNanos) / 1000));
    }
    delivered++;
  }

  /**
   * Starts counting afresh: forgets the latencies and deliveries so far, and from now on counts
   * only events sent at or after {@code sentNanos} (a measured window after a warm-up).
   */
  final synchronized void measureFrom(long sentNanos) {
    latency.reset();
    delivered = 0;
    sentFrom = sentNanos;
  }

  /** Any frame but an event. */
  final synchronized void control(String frame) {
    JsonNode node = EventCodec.JSON.readTree(frame);
    switch (node.path("op").asString()) {
      case "subscribed" -> {
        if (!confirmed) {
          confirmed = true;
          subscribed.countDown();
        }
      }
      case "gap" -> {
        gaps++;
        if (resubscribeOnGap) {
          subscribe(node.path("resumeFrom").asString());
        }
      }
      case "reset" -> error("reset: " + frame);
      case "error" -> error(frame);
      default -> { }
    }
  }

  final synchronized void error(String message) {
    errors++;
    if (firstError == null) {
      firstError = message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }
  }

  final synchronized long delivered() {
    return delivered;
  }

  final synchronized long gaps() {
    return gaps;
  }

  final synchronized long errors() {
    return errors;
  }

  final synchronized String firstError() {
    return firstError;
  }

  final synchronized void addLatencyTo(Histogram total) {
    total.add(latency);
  }
}
