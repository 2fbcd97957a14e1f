package io.agentwatch.client;

import io.agentwatch.client.OutboundBuffer.Entry;
import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/events}: a batch as a JSON array. The server answers {@code 200} with
 * per-event results after every accepted event is durable, or {@code 422} (a problem carrying the
 * same {@code rejected} list) when it took none.
 */
final class HttpLink implements Link {

  private final HttpClient http;
  private final URI uri;
  private final String apiKey;
  private final Duration timeout;
  private final Clock clock;

  HttpLink(HttpClient http, URI uri, String apiKey, Duration timeout, Clock clock) {
    this.http = http;
    this.uri = uri;
    this.apiKey = apiKey;
    this.timeout = timeout;
    this.clock = clock;
  }

  @Override
  public Reply publish(List<Entry> batch) throws InterruptedException {
    StringBuilder body = new StringBuilder(2 + batch.stream().mapToInt(e -> e.bytes + 1).sum());
    body.append('[');
    for (int i = 0; i < batch.size(); i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append(batch.get(i).json);
    }
    body.append(']');
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (apiKey != null) {
      request.header("Authorization", "Bearer " + apiKey);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return new Broken("POST " + uri + " failed: " + WebSocketLink.describe(e));
    }
    int status = response.statusCode();
    JsonNode answer = parse(response.body());
    if (status == 200 || (status == 422 && answer != null && answer.get("rejected") != null)) {
      return settled(batch, answer, status);
    }
    String detail = answer == null ? response.body() : answer.path("detail").asString(response.body());
    Duration retryAfter = RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock);
    return new Refused(status, "HTTP " + status + (detail == null || detail.isBlank() ? "" : ": " + detail),
        retryAfter);
  }

  private static Settled settled(List<Entry> batch, JsonNode answer, int status) {
    Map<Integer, String> rejected = new HashMap<>();
    if (answer != null) {
      answer.path("rejected").forEach(r -> rejected.put(r.path("index").asInt(-1), r.path("error").asString("rejected")));
    }
    Set<String> acked = new HashSet<>();
    if (status == 200) {
      for (int i = 0; i < batch.size(); i++) {
        if (!rejected.containsKey(i)) {
          acked.add(batch.get(i).id);
        }
      }
    }
    int duplicates = answer == null ? 0 : answer.path("duplicates").asInt(0);
    return new Settled(acked, duplicates, rejected);
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = EventCodec.JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JacksonException e) {
      return null;
    }
  }

  @Override
  public void close() {
    // The HttpClient is the client's; nothing of this link's own stays open.
  }
}
