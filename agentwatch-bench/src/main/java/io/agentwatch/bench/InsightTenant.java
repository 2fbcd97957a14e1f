package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One tenant of the insight benchmark on a live server: its key, its HTTP calls, and a WebSocket
 * subscription to its {@code alert.*} events that notes when each arrived (nanoTime).
 */
final class InsightTenant implements AutoCloseable {

  /** An alert event as it arrived on the subscription. */
  record Arrival(JsonNode event, long atNanos) {}

  final String name;
  final String key;
  private final URI base;
  private final HttpClient http;
  final List<Arrival> alerts = new CopyOnWriteArrayList<>();
  private final WebSocket socket;
  private final StringBuilder partial = new StringBuilder();

  InsightTenant(URI base, HttpClient http, String adminKey, String name) throws Exception {
    this.base = base;
    this.http = http;
    this.name = name;
    HttpResponse<String> r = send("POST", "/api/v1/keys", adminKey,
        EventCodec.JSON.writeValueAsString(Map.of("tenant", name, "scopes", List.of("admin", "ingest", "read"),
            "name", "insight")));
    if (r.statusCode() != 201) {
      throw new IllegalStateException("cannot make a key for " + name + ": " + r.statusCode() + " " + r.body());
    }
    this.key = EventCodec.JSON.readTree(r.body()).get("key").stringValue();
    URI ws = URI.create(base.toString().replaceFirst("^http", "ws") + "/api/v1/ws");
    socket = http.newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(ws, new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
              long at = System.nanoTime();
              JsonNode frame = EventCodec.JSON.readTree(partial.toString());
              partial.setLength(0);
              if ("event".equals(frame.path("op").asString())) {
                alerts.add(new Arrival(frame.get("event"), at));
              } else if ("events".equals(frame.path("op").asString())) {
                frame.get("events").forEach(e -> alerts.add(new Arrival(e, at)));
              }
            }
            w.request(1);
            return null;
          }
        }).get(10, TimeUnit.SECONDS);
    socket.sendText(EventCodec.JSON.writeValueAsString(Map.of("op", "subscribe", "id", "alerts",
        "filter", Map.of("types", List.of("alert.*")))), true).get(10, TimeUnit.SECONDS);
  }

  HttpResponse<String> send(String method, String path, String k, String body) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + k);
    if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Posts events (their ts set to now, in order) and returns the nanoTime the server acked them. */
  long ingest(List<ObjectNode> events) throws IOException, InterruptedException {
    Instant now = Instant.now();
    for (int i = 0; i < events.size(); i++) {
      events.get(i).put("ts", now.plusMillis(i).toString());
    }
    HttpResponse<String> r = send("POST", "/api/v1/events", key, EventCodec.JSON.writeValueAsString(events));
    long acked = System.nanoTime();
    if (r.statusCode() != 200 || !EventCodec.JSON.readTree(r.body()).get("rejected").isEmpty()) {
      throw new IllegalStateException("ingest into " + name + " failed: " + r.statusCode() + " " + r.body());
    }
    return acked;
  }

  JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = send("GET", path, key, null);
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + " " + r.body());
    }
    return EventCodec.JSON.readTree(r.body());
  }

  void post(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r = send("POST", path, key, body);
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + " " + r.body());
    }
  }

  /** Every alert of the tenant, whatever its state. */
  List<JsonNode> allAlerts() throws IOException, InterruptedException {
    List<JsonNode> out = new ArrayList<>();
    String after = null;
    do {
      JsonNode page = get("/api/v1/alerts?limit=1000" + (after == null ? ""
          : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)));
      page.get("alerts").forEach(out::add);
      after = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (after != null);
    return out;
  }

  /** Ends every run still running, as the harness that started the agents would: the manager reports the end. */
  void endRunningRuns() throws IOException, InterruptedException {
    List<ObjectNode> ends = new ArrayList<>();
    for (JsonNode run : get("/api/v1/runs?status=running&limit=1000").get("runs")) {
      String runId = run.get("runId").stringValue();
      String manager = "insight-harness";
      for (var p : run.get("participants").properties()) {
        if ("manager".equals(p.getValue().asString(""))) {
          manager = p.getKey();
        }
      }
      ends.add(InsightFault.event("end-" + runId, "run.completed", manager, runId, Map.of()));
    }
    if (!ends.isEmpty()) {
      ingest(ends);
    }
  }

  @Override
  public void close() {
    socket.abort();
  }
}
