package io.agentwatch.core.ingest;

import io.agentwatch.model.EventCodec;
import io.agentwatch.model.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;

/**
 * The events of one ingest request, parsed but not yet validated. An item that could not even be
 * parsed (a bad NDJSON line) carries its problem instead of a node, so the rest still goes in.
 */
public record Batch(List<Item> items) {

  /** At most this many events per request (API.md). */
  public static final int MAX_EVENTS = 10_000;
  /** At most this many bytes per serialized event (API.md). */
  public static final int MAX_EVENT_BYTES = 1024 * 1024;

  /** One event of a batch: its JSON and serialized size, or why it could not be parsed. */
  public record Item(JsonNode node, int bytes, Problem problem) {}

  public Batch {
    items = List.copyOf(items);
  }

  public int size() {
    return items.size();
  }

  /**
   * A JSON array of envelopes (a single envelope object is taken as a batch of one).
   *
   * @throws MalformedBodyException when the body is not such JSON
   * @throws TooLargeException      over {@link #MAX_EVENTS} events
   */
  public static Batch ofJson(byte[] body) {
    List<Item> items = new ArrayList<>();
    try (JsonParser p = EventCodec.JSON.createParser(body)) {
      JsonToken first = p.nextToken();
      // readValueAsTree, not JSON.readTree(p): the mapper fails on trailing tokens, and inside an
      // array the next element is one.
      if (first == JsonToken.START_OBJECT) {
        items.add(new Item(p.readValueAsTree(), body.length, null));
      } else if (first == JsonToken.START_ARRAY) {
        while (p.nextToken() != JsonToken.END_ARRAY) {
          if (items.size() == MAX_EVENTS) {
            throw new TooLargeException("a batch holds at most " + MAX_EVENTS + " events");
          }
          long start = p.currentTokenLocation().getByteOffset();
          JsonNode node = p.readValueAsTree();
          long end = p.currentLocation().getByteOffset();
          items.add(new Item(node, (int) Math.min(Integer.MAX_VALUE, end - start), null));
        }
      } else {
        throw new MalformedBodyException("body must be a JSON array of events");
      }
      if (p.nextToken() != null) {
        throw new MalformedBodyException("body has content after the JSON array");
      }
    } catch (JacksonException e) {
      throw new MalformedBodyException("body is not valid JSON: " + e.getOriginalMessage());
    }
    return new Batch(items);
  }

  /**
   * Newline-delimited JSON, one envelope per line; blank lines are ignored. A line that is not
   * JSON becomes a rejected item; a body with no parseable line at all is malformed.
   */
  public static Batch ofNdjson(byte[] body) {
    List<Item> items = new ArrayList<>();
    int parsed = 0;
    int start = 0;
    int line = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        line++;
        int end = i > start && body[i - 1] == '\r' ? i - 1 : i;
        if (!isBlank(body, start, end)) {
          if (items.size() == MAX_EVENTS) {
            throw new TooLargeException("a batch holds at most " + MAX_EVENTS + " events");
          }
          try {
            items.add(new Item(EventCodec.JSON.readTree(new String(body, start, end - start, StandardCharsets.UTF_8)),
                end - start, null));
            parsed++;
          } catch (JacksonException e) {
            items.add(new Item(null, end - start,
                new Problem("", "line " + line + " is not valid JSON: " + e.getOriginalMessage())));
          }
        }
        start = i + 1;
      }
    }
    if (parsed == 0) {
      throw new MalformedBodyException("body must be NDJSON: one JSON event per line");
    }
    return new Batch(items);
  }

  private static boolean isBlank(byte[] body, int from, int to) {
    for (int i = from; i < to; i++) {
      if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r') {
        return false;
      }
    }
    return true;
  }
}
