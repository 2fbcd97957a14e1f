package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads a bench run back from {@code GET /api/v1/events?runId=…} page by page (following
 * {@code next}) and records every id in the run's {@link IdLedger}. Streams the pages: only ids
 * are kept, the 1 KB bodies are skipped.
 */
final class HistoryCheck {

  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 100_000;

  private final HttpClient client;
  private final URI base;
  private final String key;

  HistoryCheck(HttpClient client, URI base, String key) {
    this.client = client;
    this.base = base;
    this.key = key;
  }

  IdLedger.Comparison check(IdLedger ledger) throws IOException, InterruptedException {
    String next = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      String query = "runId=" + URLEncoder.encode(ledger.runId(), StandardCharsets.UTF_8) + "&limit=" + PAGE
          + (next == null ? "" : "&after=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
      HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/events?" + query))
          .header("Authorization", "Bearer " + key)
          .timeout(Duration.ofSeconds(60))
          .GET().build();
      HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = response.body()) {
        if (response.statusCode() != 200) {
          throw new IOException("GET /api/v1/events answered " + response.statusCode() + ": "
              + new String(body.readNBytes(2000), StandardCharsets.UTF_8));
        }
        PageResult result = readPage(body, ledger);
        if (result.next() == null || result.events() == 0) {
          return ledger.compare();
        }
        next = result.next();
      }
    }
    throw new IOException("history of " + ledger.runId() + " has more than " + MAX_PAGES + " pages");
  }

  private record PageResult(int events, String next) {}

  private static PageResult readPage(InputStream body, IdLedger ledger) {
    int events = 0;
    String next = null;
    try (JsonParser p = EventCodec.JSON.createParser(body)) {
      expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.PROPERTY_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if ("events".equals(field)) {
          expect(value, JsonToken.START_ARRAY);
          while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
              String name = p.currentName();
              p.nextToken();
              if ("id".equals(name)) {
                ledger.seen(p.getString());
              } else {
                p.skipChildren();
              }
            }
            events++;
          }
        } else if ("next".equals(field)) {
          next = value == JsonToken.VALUE_NULL ? null : p.getString();
        } else {
          p.skipChildren();
        }
      }
    }
    return new PageResult(events, next);
  }

  private static void expect(JsonToken actual, JsonToken expected) {
    if (actual != expected) {
      throw new IllegalStateException("history page: expected " + expected + " but found " + actual);
    }
  }
}
