package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.util.concurrent.CountDownLatch;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * What one subscriber counts, whatever client reads its socket. For each event it records now
 * minus the producer's {@code sentNanos} ({@link System#nanoTime()}, one clock for every process of
 * the machine): ingest-to-delivery latency, including the durable commit. Other frames are
 * parsed; on a {@code gap} it counts it and, if asked to, subscribes again from the gap's cursor,
 * as a real client would. With order tracking on, it also checks that each producer's events
 * arrive in the order they were sent (ids {@code <run>.<producer>.<seq>}). Thread-safe.
 */
abstract class SubscriberState {

  static final String EVENT_PREFIX = "{\"op\":\"event\"";
  static final String EVENTS_PREFIX = "{\"op\":\"events\"";
  private static final byte[] EVENT_BYTES = EVENT_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] EVENTS_BYTES = EVENTS_PREFIX.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ID = "\"id\":\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private final String filter;
  private final boolean batch;
  private final boolean resubscribeOnGap;
  private boolean trackOrder;
  private final java.util.Map<String, Long> lastSeq = new java.util.HashMap<>();
  private long outOfOrder;
  private CountDownLatch subscribed;
  private final Histogram latency = Latency.newMicrosHistogram();
  private long delivered;
  private long sentFrom = Long.MIN_VALUE;
  private long gaps;
  private long errors;
  private String firstError;
  private int subscriptions;
  private boolean confirmed;
  private long pongs;

  /** @param filter the subscription's filter object as JSON, e.g. {@link #runFilter} */
  SubscriberState(String filter, boolean resubscribeOnGap, CountDownLatch subscribed) {
    this(filter, false, resubscribeOnGap, subscribed);
  }

  /** @param batch subscribe with {@code "batch":true} ({@code events} frames) */
  SubscriberState(String filter, boolean batch, boolean resubscribeOnGap, CountDownLatch subscribed) {
    this.filter = filter;
    this.batch = batch;
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

  /** The latch to count down once the subscription is confirmed (instead of the one given at construction). */
  final synchronized void confirmTo(CountDownLatch latch) {
    if (latch != null) {
      subscribed = latch;
      if (confirmed) {
        latch.countDown();
      }
    }
  }

  /** Subscribes, live ({@code after} null) or from a cursor. */
  final synchronized void subscribe(String after) {
    send("{\"op\":\"subscribe\",\"id\":\"s" + (subscriptions++) + "\",\"filter\":" + filter
        + (batch ? ",\"batch\":true" : "") + (after == null ? "" : ",\"after\":\"" + after + "\"") + "}");
  }

  /** From now on, checks each producer's order (costs a scan of every event's id). */
  final synchronized void trackOrder() {
    trackOrder = true;
  }

  /** A text frame or message: events are counted without decoding; anything else is parsed. */
  final void message(byte[] bytes, int len) {
    message(bytes, 0, len);
  }

  /** The message in {@code bytes[from, to)}. */
  final void message(byte[] bytes, int from, int to) {
    if (startsWith(bytes, from, to, EVENT_BYTES) || startsWith(bytes, from, to, EVENTS_BYTES)) {
      events(bytes, from, to);
    } else {
      control(new String(bytes, from, to - from, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** Every event in {@code bytes[from, to)}: one {@code sentNanos} each, last in its data. */
  final synchronized void events(byte[] bytes, int from, int to) {
    int at = from;
    while ((at = Envelopes.nextSentNanos(bytes, at, to)) >= 0) {
      event(Envelopes.number(bytes, at, to));
      at++;
    }
    if (trackOrder) {
      int i = from;
      while ((i = indexOf(bytes, ID, i, to)) >= 0) {
        i += ID.length;
        int end = i;
        while (end < to && bytes[end] != '"') {
          end++;
        }
        checkOrder(new String(bytes, i, end - i, java.nio.charset.StandardCharsets.US_ASCII));
        i = end;
      }
    }
  }

  private void checkOrder(String id) {
    int dot = id.lastIndexOf('.');
    if (dot < 0) {
      return;
    }
    long seq;
    try {
      seq = Long.parseLong(id.substring(dot + 1));
    } catch (NumberFormatException e) {
      return;
    }
    Long before = lastSeq.put(id.substring(0, dot), seq);
    if (before != null && seq <= before) {
      outOfOrder++;
    }
  }

  final synchronized long outOfOrder() {
    return outOfOrder;
  }

  private static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
    if (to - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[from + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] bytes, byte[] what, int from, int to) {
    outer:
    for (int i = from; i <= to - what.length; i++) {
      for (int j = 0; j < what.length; j++) {
        if (bytes[i + j] != what[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
          if (subscribed != null) {
            subscribed.countDown();
          }
        }
      }
      case "gap" -> {
        gaps++;
        if (resubscribeOnGap) {
          subscribe(node.path("resumeFrom").asString());
        }
      }
      case "pong" -> pongs++;
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

  final synchronized long pongs() {
    return pongs;
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
