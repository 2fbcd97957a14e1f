package io.agentwatch.server.stream;

import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;

/**
 * How a Server-Sent Events stream shows events: the Agentwatch envelope ({@link #ENVELOPE}) or
 * another product's shape. Whatever the shape, each message's {@code id:} is the event's cursor,
 * so a browser's EventSource resumes without a gap.
 */
public interface SseFormat {

  /**
   * {@code id: <cursor>}, {@code event: <type>}, {@code data: <envelope JSON>} (API.md, "Live
   * stream"), around the event's delivered bytes made once for every subscriber.
   */
  SseFormat ENVELOPE = (cursor, event) -> {
    byte[] json = event.jsonBytes();
    String type = event.event().type();
    byte[] message = new byte[4 + cursor.length() + 8 + type.length() + 7 + json.length + 2];
    int at = ascii(message, 0, "id: ");
    at = ascii(message, at, cursor);
    at = ascii(message, at, "\nevent: ");
    at = ascii(message, at, type);
    at = ascii(message, at, "\ndata: ");
    System.arraycopy(json, 0, message, at, json.length);
    at += json.length;
    message[at++] = '\n';
    message[at] = '\n';
    return message;
  };

  /** The whole SSE message for {@code event} in UTF-8, ending in a blank line, or null to leave it out. */
  byte[] message(String cursor, StoredEvent event);

  /** A message sent once when the stream opens, or null. */
  default String opening() {
    return null;
  }

  /** Copies ASCII text (cursors, event types) into {@code into} at {@code at}; returns the end. */
  private static int ascii(byte[] into, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      into[at++] = (byte) text.charAt(i);
    }
    return at;
  }

  /** The UTF-8 bytes of a message built as text. */
  static byte[] utf8(String message) {
    return message.getBytes(StandardCharsets.UTF_8);
  }
}
