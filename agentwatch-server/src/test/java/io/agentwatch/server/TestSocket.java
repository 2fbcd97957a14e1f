package io.agentwatch.server;

import io.agentwatch.model.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A real WebSocket client (the JDK's) collecting server frames. With {@code autoRead} off it reads
 * only when asked, to play a slow subscriber whose TCP buffers fill up.
 */
public final class TestSocket implements AutoCloseable {

  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private WebSocket socket;
  private volatile boolean autoRead = true;
  private final StringBuilder partial = new StringBuilder();

  public static TestSocket open(HttpClient http, URI uri, String key, String origin) {
    TestSocket t = new TestSocket();
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    t.socket = b.buildAsync(uri, t.listener()).orTimeout(10, TimeUnit.SECONDS).join();
    return t;
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          frames.add(EventCodec.JSON.readTree(partial.toString()));
          partial.setLength(0);
        }
        if (autoRead) {
          ws.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
      }
    };
  }

  public void send(String frame) {
    socket.sendText(frame, true).orTimeout(30, TimeUnit.SECONDS).join();
  }

  public void send(Object frame) {
    send(EventCodec.JSON.writeValueAsString(frame));
  }

  /** The next frame, or fails after {@code seconds}. */
  public JsonNode next(int seconds) {
    try {
      JsonNode f = frames.poll(seconds, TimeUnit.SECONDS);
      if (f == null) {
        throw new AssertionError("no frame within " + seconds + " s");
      }
      return f;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The next frame whose op is {@code op}, skipping others. */
  public JsonNode next(String op, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
      JsonNode f = next((int) Math.max(1, left));
      if (op.equals(f.get("op").stringValue())) {
        return f;
      }
    }
  }

  public JsonNode poll(long millis) throws InterruptedException {
    return frames.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** Stops reading: the server's frames pile up in TCP buffers, as with a slow client. */
  public void pauseReading() {
    autoRead = false;
  }

  public void resumeReading() {
    autoRead = true;
    socket.request(Long.MAX_VALUE);
  }

  public CompletableFuture<Integer> closed() {
    return closed;
  }

  @Override
  public void close() {
    socket.abort();
  }
}
