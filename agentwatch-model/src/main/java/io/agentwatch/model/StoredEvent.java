package io.agentwatch.model;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * An event as the log holds it: the producer's envelope plus what the server added (tenant,
 * position in the log, cursor, receive time).
 *
 * <p>The envelope's JSON form is kept as made once at ingest, so fan-out to many subscribers and
 * history reads never serialize the event again; the delivery form {@link #json()} splices the
 * server's fields onto it, and {@link #jsonBytes()} encodes that once for every subscriber.
 * Immutable and safe to share across threads.
 */
public final class StoredEvent {

  private final String tenant;
  private final String envelopeJson;
  private final int partition;
  private final long offset;
  private final Cursor cursor;
  private final Instant receivedAt;
  private volatile Event event;
  private volatile String json;
  private volatile byte[] jsonBytes;

  private StoredEvent(
      String tenant, Event event, String envelopeJson, int partition, long offset, Cursor cursor, Instant receivedAt) {
    this.tenant = Objects.requireNonNull(tenant, "tenant");
    this.event = event;
    this.envelopeJson = Objects.requireNonNull(envelopeJson, "envelopeJson");
    this.partition = partition;
    this.offset = offset;
    this.cursor = Objects.requireNonNull(cursor, "cursor");
    this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
  }

  /** A freshly appended event whose envelope JSON was made by {@link EventCodec#encodeEnvelope}. */
  public static StoredEvent appended(
      String tenant, Event event, String envelopeJson, int partition, long offset, Cursor cursor, Instant receivedAt) {
    return new StoredEvent(tenant, Objects.requireNonNull(event, "event"), envelopeJson, partition, offset, cursor,
        receivedAt);
  }

  /** An event read back from storage; the envelope is decoded only if someone asks for it. */
  public static StoredEvent read(
      String tenant, String envelopeJson, int partition, long offset, Cursor cursor, Instant receivedAt) {
    return new StoredEvent(tenant, null, envelopeJson, partition, offset, cursor, receivedAt);
  }

  public String tenant() {
    return tenant;
  }

  public Event event() {
    Event e = event;
    if (e == null) {
      e = EventCodec.decodeTrusted(envelopeJson);
      event = e;
    }
    return e;
  }

  /** The envelope as the producer's fields only, in JSON. */
  public String envelopeJson() {
    return envelopeJson;
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  /** The cursor that covers this event and everything before it in the log. */
  public Cursor cursor() {
    return cursor;
  }

  public Instant receivedAt() {
    return receivedAt;
  }

  /** The delivered form: the envelope plus {@code tenant}, {@code cursor} and {@code receivedAt}. */
  public String json() {
    String j = json;
    if (j == null) {
      j = EventCodec.withServerFields(envelopeJson, tenant, cursor.toString(), receivedAt);
      json = j;
    }
    return j;
  }

  /**
   * {@link #json()} in UTF-8, made once and shared by every subscriber and transport that
   * delivers this event. Callers must not change the array.
   */
  public byte[] jsonBytes() {
    byte[] b = jsonBytes;
    if (b == null) {
      b = json().getBytes(StandardCharsets.UTF_8);
      jsonBytes = b;
    }
    return b;
  }

  @Override
  public String toString() {
    return "StoredEvent[" + tenant + "/" + event().id() + " " + event().type() + " @" + cursor + "]";
  }
}
