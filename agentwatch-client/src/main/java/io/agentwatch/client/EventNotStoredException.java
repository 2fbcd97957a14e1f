package io.agentwatch.client;

/** An emitted event that will never be stored: why, with its id and type. */
public final class EventNotStoredException extends RuntimeException {

  /** Why the event left the client without being stored. */
  public enum Reason {
    /** The server refused the event itself (the message says why); it is not sent again. */
    REJECTED,
    /** Evicted from a full buffer in favour of a more important event. */
    EVICTED,
    /** The buffer was full and the event was not taken (back-pressure). */
    REFUSED,
    /** The client was closed before the server acknowledged the event. */
    CLOSED
  }

  private final String id;
  private final String type;
  private final Reason reason;

  public EventNotStoredException(String id, String type, Reason reason, String message) {
    super(type + " " + id + " was not stored (" + reason.name().toLowerCase(java.util.Locale.ROOT) + "): " + message);
    this.id = id;
    this.type = type;
    this.reason = reason;
  }

  public String id() {
    return id;
  }

  public String type() {
    return type;
  }

  public Reason reason() {
    return reason;
  }
}
