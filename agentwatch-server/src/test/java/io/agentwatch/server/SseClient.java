package io.agentwatch.server;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal real SSE client over the JDK's HttpClient, parsing id/event/data messages. */
public final class SseClient implements AutoCloseable {

  /** One SSE message. */
  public record Message(String id, String event, String data) {}

  private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  private final HttpResponse<InputStream> response;
  private final Thread reader;

  private SseClient(HttpResponse<InputStream> response) {
    this.response = response;
    this.reader = Thread.ofVirtual().start(this::read);
  }

  public static SseClient open(HttpClient http, URI uri, String key, String lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return new SseClient(http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  public int status() {
    return response.statusCode();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) {
          if (data.length() > 0 || event != null) {
            messages.add(new Message(id, event == null ? "message" : event, data.toString()));
          }
          id = null;
          event = null;
          data.setLength(0);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      messages.add(new Message(null, "closed", ""));
    } catch (Exception e) {
      messages.add(new Message(null, "closed", String.valueOf(e)));
    }
  }

  public Message next(int seconds) throws InterruptedException {
    Message m = messages.poll(seconds, TimeUnit.SECONDS);
    if (m == null) {
      throw new AssertionError("no SSE message within " + seconds + " s");
    }
    return m;
  }

  public Message poll(long millis) throws InterruptedException {
    return messages.poll(millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    reader.interrupt();
    try {
      response.body().close();
    } catch (Exception e) {
      // closing anyway
    }
  }
}
