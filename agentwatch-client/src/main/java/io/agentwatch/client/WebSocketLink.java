package io.agentwatch.client;

import io.agentwatch.client.OutboundBuffer.Entry;
import io.agentwatch.model.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /api/v1/ws}: one {@code publish} frame per batch, answered by an {@code ack} after the
 * server made the events durable (or an {@code error}). The server's {@code command} frames go to
 * a consumer, never handled on the socket's thread.
 */
final class WebSocketLink implements Link, WebSocket.Listener {

  /** Put on the reply queue when the socket closed, to wake a publish waiting for its ack. */
  private static final JsonNode CLOSED = EventCodec.JSON.createObjectNode().put("op", "closed");

  private final BlockingQueue<JsonNode> replies = new LinkedBlockingQueue<>();
  private final Consumer<JsonNode> commands;
  private final Duration ackTimeout;
  private final StringBuilder partial = new StringBuilder();
  private volatile String closedBecause;
  private WebSocket socket;
  private long refs;

  private WebSocketLink(Consumer<JsonNode> commands, Duration ackTimeout) {
    this.commands = commands;
    this.ackTimeout = ackTimeout;
  }

  /**
   * Opens the socket.
   *
   * @throws LinkException when it could not be opened (refused, unreachable, timed out)
   */
  static WebSocketLink open(HttpClient http, URI uri, String apiKey, Duration connectTimeout, Duration ackTimeout,
      Consumer<JsonNode> commands) throws InterruptedException {
    WebSocketLink link = new WebSocketLink(commands, ackTimeout);
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(connectTimeout);
    if (apiKey != null) {
      builder.header("Authorization", "Bearer " + apiKey);
    }
    try {
      link.socket = builder.buildAsync(uri, link).get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new LinkException(describe(e.getCause()));
    } catch (TimeoutException e) {
      throw new LinkException("no WebSocket handshake within " + connectTimeout.toSeconds() + " s");
    }
    return link;
  }

  /** Announces the agent, so that the server routes its commands here. */
  void hello(String agentId) throws InterruptedException {
    send(EventCodec.JSON.writeValueAsString(Map.of("op", "hello", "agentId", agentId)));
  }

  /** Keeps an idle connection alive; the {@code pong} is not waited for. */
  void ping() throws InterruptedException {
    send("{\"op\":\"ping\"}");
  }

  boolean isOpen() {
    return closedBecause == null;
  }

  String closedBecause() {
    return closedBecause;
  }

  @Override
  public Reply publish(List<Entry> batch) throws InterruptedException {
    String ref = "p" + (++refs);
    StringBuilder frame = new StringBuilder(64 + batch.stream().mapToInt(e -> e.bytes + 1).sum());
    frame.append("{\"op\":\"publish\",\"ref\":\"").append(ref).append("\",\"events\":[");
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        frame.append(',');
      }
      frame.append(batch.get(i).json);
    }
    frame.append("]}");
    try {
      send(frame.toString());
    } catch (LinkException e) {
      return new Broken(e.getMessage());
    }
    long deadline = System.nanoTime() + ackTimeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode reply = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
      if (reply == null) {
        return new Broken("no ack within " + ackTimeout.toSeconds() + " s");
      }
      if (reply == CLOSED) {
        replies.offer(CLOSED);
        return new Broken(closedBecause);
      }
      JsonNode replyRef = reply.get("ref");
      if (replyRef == null || !ref.equals(replyRef.asString())) {
        continue;
      }
      return "ack".equals(reply.path("op").asString()) ? settled(reply) : refused(reply);
    }
  }

  private static Settled settled(JsonNode ack) {
    Set<String> acked = new HashSet<>();
    ack.path("ids").forEach(id -> acked.add(id.asString()));
    JsonNode duplicates = ack.path("duplicates");
    duplicates.forEach(id -> acked.add(id.asString()));
    Map<Integer, String> rejected = new HashMap<>();
    ack.path("rejected").forEach(r -> rejected.put(r.path("index").asInt(-1), r.path("error").asString("rejected")));
    return new Settled(acked, duplicates.size(), rejected);
  }

  private static Refused refused(JsonNode error) {
    int status = error.path("status").asInt(500);
    // An error frame has no Retry-After; the server asks a crowded socket to wait a second.
    Duration retryAfter = status == 429 ? Duration.ofSeconds(1) : null;
    return new Refused(status, error.path("error").asString("refused"), retryAfter);
  }

  private void send(String text) throws InterruptedException {
    WebSocket ws = socket;
    try {
      ws.sendText(text, true).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      throw new LinkException("cannot send: " + describe(e.getCause()));
    } catch (TimeoutException e) {
      throw new LinkException("cannot send within " + ackTimeout.toSeconds() + " s");
    } catch (IllegalStateException e) {
      throw new LinkException("cannot send: " + e.getMessage());
    }
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      String text = partial.toString();
      partial.setLength(0);
      receive(text);
    }
    ws.request(1);
    return null;
  }

  private void receive(String text) {
    JsonNode frame;
    try {
      frame = EventCodec.JSON.readTree(text);
    } catch (JacksonException e) {
      return;
    }
    if (frame == null || !frame.isObject()) {
      return;
    }
    switch (frame.path("op").asString("")) {
      case "ack", "error" -> replies.offer(frame);
      case "command" -> {
        if (frame.get("command") instanceof ObjectNode command) {
          commands.accept(command);
        }
      }
      default -> {
        // pong, and frames a newer server may add.
      }
    }
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    ended("closed by the server (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    ended(describe(error));
  }

  private void ended(String because) {
    if (closedBecause == null) {
      closedBecause = because;
    }
    replies.offer(CLOSED);
  }

  /** Says goodbye with a normal close frame when the socket still works, then releases it. */
  @Override
  public void close() {
    boolean wasOpen = closedBecause == null;
    ended("closed by the client");
    WebSocket ws = socket;
    if (ws == null) {
      return;
    }
    if (wasOpen && !ws.isOutputClosed()) {
      try {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closing").get(1, TimeUnit.SECONDS);
      } catch (Exception e) {
        // A broken or busy socket is aborted below all the same.
      }
    }
    ws.abort();
  }

  static String describe(Throwable t) {
    if (t == null) {
      return "unknown failure";
    }
    if (t instanceof java.net.http.WebSocketHandshakeException handshake) {
      int status = handshake.getResponse().statusCode();
      return status == 101 ? "WebSocket handshake failed: " + describe(handshake.getCause())
          : "WebSocket handshake refused with HTTP " + status;
    }
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** The socket could not be opened or written. */
  static final class LinkException extends RuntimeException {
    LinkException(String message) {
      super(message);
    }
  }
}
