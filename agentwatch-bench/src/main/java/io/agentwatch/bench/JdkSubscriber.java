package io.agentwatch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber on {@link java.net.http.WebSocket}. Each frame is decoded to a String by the JDK,
 * which costs the shared CPU about as much per frame as the server spends sending it; see
 * {@link RawSubscriber} for the lean default.
 */
final class JdkSubscriber extends SubscriberState implements WebSocket.Listener {

  private final StringBuilder partial = new StringBuilder();
  private CompletableFuture<?> sending = CompletableFuture.completedFuture(null);
  private volatile WebSocket socket;

  private JdkSubscriber(String filter, boolean resubscribeOnGap, CountDownLatch subscribed) {
    super(filter, resubscribeOnGap, subscribed);
  }

  static JdkSubscriber connect(HttpClient client, URI uri, String key, String filter, boolean resubscribeOnGap,
      CountDownLatch subscribed) {
    JdkSubscriber s = new JdkSubscriber(filter, resubscribeOnGap, subscribed);
    s.socket = client.newWebSocketBuilder()
        .header("Authorization", "Bearer " + key)
        .connectTimeout(Duration.ofSeconds(10))
        .buildAsync(uri, s)
        .orTimeout(15, TimeUnit.SECONDS)
        .join();
    return s;
  }

  @Override
  synchronized void send(String frame) {
    WebSocket ws = socket;
    sending = sending.thenCompose(ignored -> ws.sendText(frame, true));
  }

  /** Unbounded demand: the socket is read as fast as frames come, without a request per frame. */
  @Override
  public void onOpen(WebSocket ws) {
    ws.request(Long.MAX_VALUE);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    if (last && partial.isEmpty()) {
      onFrame(data.toString());
    } else {
      partial.append(data);
      if (last) {
        String frame = partial.toString();
        partial.setLength(0);
        onFrame(frame);
      }
    }
    return null;
  }

  private void onFrame(String frame) {
    if (frame.startsWith(EVENT_PREFIX)) {
      event(Envelopes.sentNanos(frame));
    } else {
      control(frame);
    }
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    error("socket failed: " + error);
  }

  @Override
  void close() {
    LoadBench.closeQuietly(socket);
  }
}
