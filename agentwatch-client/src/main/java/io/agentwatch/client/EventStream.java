package io.agentwatch.client;

import io.agentwatch.model.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A live, resumable stream of stored events over {@code GET /api/v1/ws}, for tools and agents
 * that read: everything matching a filter after a cursor (or from now), then live, batched — the
 * server puts every ready event in one {@code events} frame and the listener gets each frame's
 * events in one call. It reconnects by itself after a drop (backoff with jitter) and resumes after
 * the last cursor it handed over, so the listener sees every event once and in order; after a
 * {@code gap} (the server stopping) it subscribes again from the gap's cursor. A listener that is
 * slow slows only this stream: the server catches it up from its log.
 *
 * <pre>{@code
 * try (EventStream stream = EventStream.builder("http://localhost:8080").apiKey(key)
 *     .types(List.of("task.*")).onEvents(events -> events.forEach(System.out::println)).start()) {
 *   ...
 * }
 * }</pre>
 *
 * The listener runs on the stream's own thread, one call at a time; {@link #cursor()} is the
 * cursor after the last event it was handed (save it to resume a later stream with
 * {@link Builder#after}).
 */
public final class EventStream implements AutoCloseable {

  /** A stored event as streamed: the envelope's fields, the server's cursor, and its JSON. */
  public record StreamedEvent(String id, String type, String agentId, String runId, Instant ts, String cursor,
                              JsonNode data, JsonNode json) {}

  /** What the stream tells besides events. */
  public interface Listener {
    /** The events of one frame, in log order. */
    void onEvents(List<StreamedEvent> events);

    /** The cursor came from another store (a wiped server): reload state; the stream goes on from {@code head}. */
    default void onReset(String head) {}

    /** The stream lost its connection or was ended by the server; it reconnects by itself unless closed. */
    default void onInterrupted(String why) {}

    /** The server refused the stream for good (a bad key, filter or cursor); the stream has stopped. */
    default void onRefused(String why) {}
  }

  private static final JsonNode CLOSED = EventCodec.JSON.createObjectNode().put("op", "closed");
  private static final Duration PING_EVERY = Duration.ofSeconds(20);

  private final HttpClient http;
  private final URI uri;
  private final String apiKey;
  private final Map<String, Object> filter;
  private final Listener listener;
  private final Backoff backoff;
  private final Duration connectTimeout;
  private volatile String cursor;
  private volatile boolean closed;
  private volatile WebSocket socket;
  private Thread runner;
  private int subscriptions;

  private EventStream(Builder b) {
    this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
    this.uri = b.webSocketUri;
    this.apiKey = b.apiKey;
    this.filter = b.filter;
    this.listener = b.listener;
    this.backoff = new Backoff(b.backoffInitial, b.backoffMax);
    this.connectTimeout = b.connectTimeout;
    this.cursor = b.after;
  }

  public static Builder builder(String url) {
    return new Builder(URI.create(url));
  }

  /** Connects and streams on a thread of its own until {@link #close()}. */
  public synchronized EventStream start() {
    if (runner == null) {
      runner = Thread.ofVirtual().name("agentwatch-event-stream").start(this::run);
    }
    return this;
  }

  /** The cursor after the last event handed to the listener (null before the first). */
  public String cursor() {
    return cursor;
  }

  private void run() {
    int failures = 0;
    while (!closed) {
      Connection connection = new Connection();
      try {
        String ended = connection.stream();
        if (ended == null) {
          return;
        }
        failures = connection.delivered ? 0 : failures + 1;
        listener.onInterrupted(ended);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The listener failed: the stream cannot know what it has handled, so it stops.
        closed = true;
        listener.onRefused("the listener failed: " + e);
        return;
      } finally {
        connection.abort();
      }
      try {
        Thread.sleep(backoff.delay(Math.max(0, failures - 1), ThreadLocalRandom.current()).toMillis()
            + (failures == 0 ? 0 : 50));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One WebSocket: its frames are queued by the socket's thread and handled on the stream's. */
  private final class Connection implements WebSocket.Listener {
    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile String closedBecause;
    private boolean delivered;
    private String subscription;

    /** Streams until the connection ends (returns why) or the stream is closed or refused (returns null). */
    String stream() throws InterruptedException {
      WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
      if (apiKey != null) {
        builder.header("Authorization", "Bearer " + apiKey);
      }
      try {
        socket = builder.buildAsync(uri, this).get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        String why = WebSocketLink.describe(e.getCause());
        if (why.contains("HTTP 401") || why.contains("HTTP 403")) {
          listener.onRefused(why);
          closed = true;
          return null;
        }
        return why;
      } catch (TimeoutException e) {
        return "no WebSocket handshake within " + connectTimeout.toSeconds() + " s";
      }
      subscribe(cursor);
      long nextPing = System.nanoTime() + PING_EVERY.toNanos();
      while (!closed) {
        JsonNode frame = frames.poll(Math.max(0, nextPing - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (frame == null) {
          send("{\"op\":\"ping\"}");
          nextPing = System.nanoTime() + PING_EVERY.toNanos();
          continue;
        }
        if (frame == CLOSED) {
          return closedBecause;
        }
        String refused = handle(frame);
        if (refused != null) {
          listener.onRefused(refused);
          closed = true;
          return null;
        }
      }
      return null;
    }

    private void subscribe(String after) {
      subscription = "s" + (++subscriptions);
      Map<String, Object> frame = new LinkedHashMap<>();
      frame.put("op", "subscribe");
      frame.put("id", subscription);
      frame.put("filter", filter);
      frame.put("batch", true);
      if (after != null) {
        frame.put("after", after);
      }
      send(EventCodec.JSON.writeValueAsString(frame));
    }

    /** One frame from the server; returns why the stream is refused for good, or null. */
    private String handle(JsonNode frame) {
      String op = frame.path("op").asString("");
      if (!op.equals("error") && !subscription.equals(frame.path("sub").asString(subscription))) {
        return null; // a frame of a subscription that already ended
      }
      switch (op) {
        case "events" -> {
          List<StreamedEvent> events = new ArrayList<>();
          frame.path("events").forEach(e -> events.add(streamed(e)));
          deliver(events, frame.path("cursor").asString(null));
        }
        case "event" -> deliver(List.of(streamed(frame.path("event"))), frame.path("cursor").asString(null));
        case "gap" -> {
          String resumeFrom = frame.path("resumeFrom").asString(cursor);
          cursor = resumeFrom;
          if ("revoked".equals(frame.path("reason").asString(""))) {
            return "the key was revoked";
          }
          listener.onInterrupted("the server ended the stream (" + frame.path("reason").asString("") + ")");
          subscribe(resumeFrom);
        }
        case "reset" -> {
          cursor = frame.path("resumeFrom").asString(null);
          listener.onReset(cursor);
        }
        case "error" -> {
          int status = frame.path("status").asInt(500);
          if (status == 400 || status == 401 || status == 403) {
            return frame.path("error").asString("refused");
          }
        }
        default -> {
          // subscribed, pong, and frames a newer server may add.
        }
      }
      return null;
    }

    private void deliver(List<StreamedEvent> events, String after) {
      if (events.isEmpty()) {
        return;
      }
      listener.onEvents(List.copyOf(events));
      delivered = true;
      cursor = after != null ? after : events.getLast().cursor();
    }

    private void send(String text) {
      WebSocket ws = socket;
      if (ws != null && !ws.isOutputClosed()) {
        ws.sendText(text, true);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode frame = EventCodec.JSON.readTree(text);
          if (frame != null && frame.isObject()) {
            frames.add(frame);
          }
        } catch (JacksonException e) {
          // Not a frame of this protocol; ignore it.
        }
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      ended("closed by the server (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      ended(WebSocketLink.describe(error));
    }

    private void ended(String because) {
      if (closedBecause == null) {
        closedBecause = because;
      }
      frames.add(CLOSED);
    }

    void abort() {
      WebSocket ws = socket;
      if (ws != null) {
        ws.abort();
      }
    }
  }

  private static StreamedEvent streamed(JsonNode e) {
    String ts = e.path("ts").asString(null);
    return new StreamedEvent(e.path("id").asString(null), e.path("type").asString(null),
        e.path("agentId").asString(null), e.path("runId").asString(null), ts == null ? null : Instant.parse(ts),
        e.path("cursor").asString(null), e.path("data"), e);
  }

  /** Stops streaming and closes the connection; the listener is not called afterwards. */
  @Override
  public void close() {
    closed = true;
    WebSocket ws = socket;
    if (ws != null && !ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closing").get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Aborted below all the same.
      }
    }
    Thread t;
    synchronized (this) {
      t = runner;
    }
    if (t != null) {
      t.interrupt();
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ws != null) {
      ws.abort();
    }
  }

  /** Settings of a stream; only the URL is required. */
  public static final class Builder {
    private final URI url;
    private URI webSocketUri;
    private String apiKey;
    private final Map<String, Object> filter = new LinkedHashMap<>();
    private String after;
    private Listener listener;
    private Duration backoffInitial = Duration.ofMillis(250);
    private Duration backoffMax = Duration.ofSeconds(15);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private HttpClient http;

    private Builder(URI url) {
      this.url = Objects.requireNonNull(url, "url");
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    /** Only events of this run. */
    public Builder runId(String runId) {
      return put("runId", runId);
    }

    /** Only events of this agent. */
    public Builder agentId(String agentId) {
      return put("agentId", agentId);
    }

    /** Only events of these types; a {@code task.*} prefix matches a family. */
    public Builder types(List<String> types) {
      return put("types", types == null || types.isEmpty() ? null : List.copyOf(types));
    }

    private Builder put(String field, Object value) {
      if (value == null) {
        filter.remove(field);
      } else {
        filter.put(field, value);
      }
      return this;
    }

    /** Start after this cursor (null: live from now). */
    public Builder after(String cursor) {
      this.after = cursor == null || cursor.isBlank() ? null : cursor;
      return this;
    }

    public Builder listener(Listener listener) {
      this.listener = listener;
      return this;
    }

    /** A listener of events only. */
    public Builder onEvents(Consumer<List<StreamedEvent>> events) {
      return listener(events::accept);
    }

    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** The WebSocket URL when it is not the server URL's {@code /api/v1/ws}. */
    public Builder webSocketUri(URI uri) {
      this.webSocketUri = uri;
      return this;
    }

    public Builder httpClient(HttpClient http) {
      this.http = http;
      return this;
    }

    public EventStream build() {
      if (listener == null) {
        throw new IllegalStateException("a stream needs a listener (onEvents or listener)");
      }
      if (webSocketUri == null) {
        String base = url.toString().replaceFirst("^http", "ws");
        webSocketUri = URI.create(base.endsWith("/") ? base + "api/v1/ws" : base + "/api/v1/ws");
      }
      return new EventStream(this);
    }

    /** {@link #build()}, then {@link EventStream#start()}. */
    public EventStream start() {
      return build().start();
    }
  }
}
