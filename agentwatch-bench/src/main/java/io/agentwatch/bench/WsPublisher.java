package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * One producer socket: publishes on its own thread while a window permit is free, and matches
 * each {@code ack} (or {@code error}) to the oldest publish in flight, since acks come in publish
 * order. Counters are guarded by {@code this}.
 */
final class WsPublisher implements WebSocket.Listener {

  private record InFlight(long ref, long firstSeq, int count, long sentNanos) {}

  private final int index;
  private final Envelopes envelopes;
  private final IdLedger ledger;
  private final int window;
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<InFlight> inFlight = new ConcurrentLinkedQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final Histogram latency = Latency.newMicrosHistogram();
  private WebSocket socket;
  private long events;
  private long requests;
  private long errors;
  private String firstError;

  WsPublisher(int index, Envelopes envelopes, IdLedger ledger, int window) {
    this.index = index;
    this.envelopes = envelopes;
    this.ledger = ledger;
    this.window = window;
    this.permits = new Semaphore(window);
  }

  void attach(WebSocket socket) {
    this.socket = socket;
  }

  /** Publishes until {@code end} (a nanoTime), then waits up to {@code drain} for the last acks. */
  void publishUntil(long end, int batch, Duration drain) {
    long seq = 0;
    long ref = 0;
    try {
      while (System.nanoTime() < end) {
        if (!permits.tryAcquire(20, TimeUnit.MILLISECONDS)) {
          continue;
        }
        String frame = envelopes.publish(ref, index, seq, batch);
        inFlight.add(new InFlight(ref, seq, batch, System.nanoTime()));
        socket.sendText(frame, true).join();
        ref++;
        seq += batch;
      }
      if (!permits.tryAcquire(window, drain.toMillis(), TimeUnit.MILLISECONDS)) {
        error(inFlight.size() + " publishes not acked " + drain.toSeconds() + " s after the phase");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      error("publish failed: " + e);
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String frame = partial.toString();
      partial.setLength(0);
      onFrame(frame);
    }
    ws.request(1);
    return null;
  }

  private void onFrame(String text) {
    long now = System.nanoTime();
    JsonNode frame = EventCodec.JSON.readTree(text);
    String op = frame.path("op").asString();
    if (!"ack".equals(op) && !"error".equals(op)) {
      return;
    }
    InFlight sent = inFlight.poll();
    if (sent == null) {
      error("unexpected " + op + " frame: " + text);
      return;
    }
    synchronized (this) {
      requests++;
      if (frame.path("ref").asLong(-1) != sent.ref()) {
        error("ack out of order: expected ref " + sent.ref() + " but got " + frame.path("ref"));
      } else if ("error".equals(op)) {
        error(text);
      } else {
        BitSet rejected = new BitSet();
        for (JsonNode r : frame.path("rejected")) {
          rejected.set(r.path("index").asInt());
        }
        if (!rejected.isEmpty()) {
          error("rejected " + rejected.cardinality() + " events: " + text);
        }
        latency.recordValue((now - sent.sentNanos()) / 1000);
        ledger.acked(index, sent.firstSeq(), sent.count(), rejected);
        events += frame.path("ids").size() + frame.path("duplicates").size();
      }
    }
    permits.release();
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    error("socket failed: " + error);
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    if (statusCode != WebSocket.NORMAL_CLOSURE) {
      error("socket closed by the server: " + statusCode + " " + reason);
    }
    return null;
  }

  void close() {
    LoadBench.closeQuietly(socket);
  }

  private synchronized void error(String message) {
    errors++;
    if (firstError == null) {
      firstError = message.length() > 300 ? message.substring(0, 300) + "…" : message;
    }
  }

  synchronized Histogram latency() {
    return latency;
  }

  synchronized long events() {
    return events;
  }

  synchronized long requests() {
    return requests;
  }

  synchronized long errors() {
    return errors;
  }

  synchronized String firstError() {
    return firstError;
  }
}
