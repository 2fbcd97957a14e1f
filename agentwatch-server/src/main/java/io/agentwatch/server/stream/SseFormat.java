package io.agentwatch.server.stream;

import io.agentwatch.model.StoredEvent;

/**
 * How a Server-Sent Events stream shows events: the Agentwatch envelope ({@link #ENVELOPE}) or
 * another product's shape. Whatever the shape, each message's {@code id:} is the event's cursor,
 * so a browser's EventSource resumes without a gap.
 */
public interface SseFormat {

  /** {@code id: <cursor>}, {@code event: <type>}, {@code data: <envelope JSON>} (API.md, "Live stream"). */
  SseFormat ENVELOPE = (cursor, event) -> "id: " + cursor + "\nevent: " + event.event().type() + "\ndata: "
      + event.json() + "\n\n";

  /** The whole SSE message for {@code event}, ending in a blank line, or null to leave it out. */
  String message(String cursor, StoredEvent event);

  /** A message sent once when the stream opens, or null. */
  default String opening() {
    return null;
  }
}
