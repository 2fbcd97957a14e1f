package io.agentwatch.server.cluster;

import io.agentwatch.server.TestSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;

/**
 * A dashboard's WebSocket subscription to the {@code log} events of its tenant, recording every
 * event it is sent and the cursor of the last one, so that it can reconnect where it left off.
 * It reads as fast as it can, so a {@code gap} notice (which a slow reader may get) is only counted.
 */
final class ClusterDashboard implements AutoCloseable {

  private final String name;
  private final TestSocket socket;
  private final Thread reader;
  private final List<JsonNode> events;
  private final AtomicInteger gaps;
  private volatile String lastCursor;
  private volatile boolean open = true;
  private int subscriptions;

  private ClusterDashboard(String name, TestSocket socket, List<JsonNode> events, AtomicInteger gaps, String after) {
    this.name = name;
    this.socket = socket;
    this.events = events;
    this.gaps = gaps;
    this.lastCursor = after;
    subscribe(after);
    this.reader = Thread.ofVirtual().name(name).start(this::read);
  }

  static ClusterDashboard open(String name, URI node, String key, String after) {
    return new ClusterDashboard(name, TestSocket.open(HttpClient.newHttpClient(), node, key, null),
        new ArrayList<>(), new AtomicInteger(), after);
  }

  /** Closes this connection and opens a new one to {@code node}, resuming after the last event seen. */
  ClusterDashboard reconnect(URI node, String key) throws InterruptedException {
    close();
    return new ClusterDashboard(name, TestSocket.open(HttpClient.newHttpClient(), node, key, null), events, gaps,
        lastCursor);
  }

  private void subscribe(String after) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "subscribe");
    frame.put("id", name + "-" + ++subscriptions);
    frame.put("filter", Map.of("types", List.of("log")));
    if (after != null) {
      frame.put("after", after);
    }
    socket.send(frame);
    socket.next("subscribed", 30);
  }

  private void read() {
    while (open) {
      JsonNode frame;
      try {
        frame = socket.poll(100);
      } catch (InterruptedException e) {
        return;
      }
      if (frame == null) {
        continue;
      }
      switch (frame.get("op").stringValue()) {
        case "event" -> {
          JsonNode event = frame.get("event");
          synchronized (events) {
            events.add(event);
          }
          lastCursor = event.get("cursor").stringValue();
        }
        case "gap" -> gaps.incrementAndGet();
        default -> {
          // subscribed, unsubscribed, pong
        }
      }
    }
  }

  String name() {
    return name;
  }

  int received() {
    synchronized (events) {
      return events.size();
    }
  }

  int gaps() {
    return gaps.get();
  }

  /** The ids received, per agent, in the order they arrived. */
  Map<String, List<String>> seenByAgent() {
    Map<String, List<String>> byAgent = new HashMap<>();
    synchronized (events) {
      for (JsonNode e : events) {
        byAgent.computeIfAbsent(e.get("agentId").stringValue(), k -> new ArrayList<>()).add(e.get("id").stringValue());
      }
    }
    return byAgent;
  }

  @Override
  public void close() throws InterruptedException {
    open = false;
    reader.join(5_000);
    socket.close();
  }
}
