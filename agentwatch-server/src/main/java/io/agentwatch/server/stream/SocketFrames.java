package io.agentwatch.server.stream;

import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.EventCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * The bytes of one WebSocket subscription's frames (API.md, "Live stream"), assembled from the
 * event's delivered form made once ({@link io.agentwatch.model.StoredEvent#jsonBytes()}) and this
 * subscription's constant prefix: per subscriber, one copy of bytes and no JSON work.
 *
 * <ul>
 *   <li>{@code {"op":"event","sub":"s1","cursor":"…","event":{…}}} — one event per frame;</li>
 *   <li>{@code {"op":"events","sub":"s1","cursor":"…","events":[{…},…]}} — with {@code "batch":true},
 *       as many events as are ready, up to {@link #MAX_BATCH_BYTES}; the cursor is the one after
 *       the last event of the frame.</li>
 * </ul>
 */
final class SocketFrames {

  /** A batched frame grows to about this size at most (an event larger than it goes alone). */
  static final int MAX_BATCH_BYTES = 256 * 1024;

  private static final byte[] CURSOR_THEN_EVENT = ascii("\",\"event\":");
  private static final byte[] CURSOR_THEN_EVENTS = ascii("\",\"events\":[");
  private static final byte[] CLOSE_OBJECT = ascii("}");
  private static final byte[] CLOSE_ARRAY_AND_OBJECT = ascii("]}");

  private final String id;
  private final byte[] eventPrefix;
  private final byte[] eventsPrefix;

  SocketFrames(String subscriptionId) {
    this.id = subscriptionId;
    String quotedId = quote(subscriptionId);
    this.eventPrefix = utf8("{\"op\":\"event\",\"sub\":" + quotedId + ",\"cursor\":\"");
    this.eventsPrefix = utf8("{\"op\":\"events\",\"sub\":" + quotedId + ",\"cursor\":\"");
  }

  /** One {@code event} frame. */
  ByteBuffer event(Delivery.Item item) {
    String cursor = item.cursor().toString();
    byte[] json = item.event().jsonBytes();
    byte[] frame = new byte[eventPrefix.length + cursor.length() + CURSOR_THEN_EVENT.length + json.length + 1];
    int at = put(frame, 0, eventPrefix);
    at = putAscii(frame, at, cursor);
    at = put(frame, at, CURSOR_THEN_EVENT);
    at = put(frame, at, json);
    put(frame, at, CLOSE_OBJECT);
    return ByteBuffer.wrap(frame);
  }

  /** {@code events} frames holding {@code items} in order, each within {@link #MAX_BATCH_BYTES} where it can be. */
  List<ByteBuffer> events(List<Delivery.Item> items) {
    List<ByteBuffer> frames = new ArrayList<>(1);
    int from = 0;
    while (from < items.size()) {
      int to = from;
      long bytes = 0;
      while (to < items.size() && (to == from || bytes + items.get(to).event().jsonBytes().length < MAX_BATCH_BYTES)) {
        bytes += items.get(to).event().jsonBytes().length + 1;
        to++;
      }
      frames.add(batch(items.subList(from, to), bytes));
      from = to;
    }
    return frames;
  }

  private ByteBuffer batch(List<Delivery.Item> items, long eventBytes) {
    String cursor = items.getLast().cursor().toString();
    int size = (int) (eventsPrefix.length + cursor.length() + CURSOR_THEN_EVENTS.length + eventBytes - 1
        + CLOSE_ARRAY_AND_OBJECT.length);
    byte[] frame = new byte[size];
    int at = put(frame, 0, eventsPrefix);
    at = putAscii(frame, at, cursor);
    at = put(frame, at, CURSOR_THEN_EVENTS);
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        frame[at++] = ',';
      }
      at = put(frame, at, items.get(i).event().jsonBytes());
    }
    put(frame, at, CLOSE_ARRAY_AND_OBJECT);
    return ByteBuffer.wrap(frame);
  }

  ByteBuffer gap(Cursor resumeFrom, GapReason reason) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "gap");
    frame.put("sub", id);
    frame.put("resumeFrom", resumeFrom.toString());
    frame.put("reason", reason.wireName());
    return ByteBuffer.wrap(EventCodec.JSON.writeValueAsBytes(frame));
  }

  ByteBuffer reset(Cursor head) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("op", "reset");
    frame.put("sub", id);
    frame.put("resumeFrom", head.toString());
    return ByteBuffer.wrap(EventCodec.JSON.writeValueAsBytes(frame));
  }

  private static int put(byte[] into, int at, byte[] bytes) {
    System.arraycopy(bytes, 0, into, at, bytes.length);
    return at + bytes.length;
  }

  /** Cursors are ASCII by construction ({@code aw1.<letters and digits>.<base 36>-…}). */
  private static int putAscii(byte[] into, int at, String ascii) {
    for (int i = 0; i < ascii.length(); i++) {
      into[at++] = (byte) ascii.charAt(i);
    }
    return at;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    JsonStringEncoder.getInstance().quoteAsString(s, sb);
    return sb.append('"').toString();
  }
}
