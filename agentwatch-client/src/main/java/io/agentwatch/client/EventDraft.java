package io.agentwatch.client;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An event being written by an agent, before {@link AgentwatchClient#emit(EventDraft)} gives it an
 * id (unless set), a producer time (unless set) and the client's agent and run (unless set).
 * Mutable and not thread-safe: build it on one thread and emit it once.
 */
public final class EventDraft {

  private final String type;
  private String id;
  private String agentId;
  private String runId;
  private String parentId;
  private String target;
  private Instant ts;
  private Priority priority;
  private final Map<String, Object> data = new LinkedHashMap<>();

  private EventDraft(String type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  /** A draft of the given type, e.g. {@code task.started}. */
  public static EventDraft of(String type) {
    return new EventDraft(type);
  }

  /** A draft of the given type with a data payload (copied). */
  public static EventDraft of(String type, Map<String, ?> data) {
    return new EventDraft(type).data(data);
  }

  /** Sets the id; by default the client makes a unique one. Reuse an id only to resend the same event. */
  public EventDraft id(String id) {
    this.id = id;
    return this;
  }

  /** The agent the event is about; by default the client's agent. */
  public EventDraft agent(String agentId) {
    this.agentId = agentId;
    return this;
  }

  /** The run (session, conversation); by default the client's run, if it has one. */
  public EventDraft run(String runId) {
    this.runId = runId;
    return this;
  }

  /** The id of the event that caused this one. */
  public EventDraft parent(String parentId) {
    this.parentId = parentId;
    return this;
  }

  /** The agent on the receiving end of an interaction (message, delegation). */
  public EventDraft target(String target) {
    this.target = target;
    return this;
  }

  /** The producer time; by default the client's clock at emit. */
  public EventDraft at(Instant ts) {
    this.ts = ts;
    return this;
  }

  /** Overrides the buffer priority that {@link Priority#of} gives the type. */
  public EventDraft priority(Priority priority) {
    this.priority = priority;
    return this;
  }

  /** Adds the fields of {@code values} to the payload. */
  public EventDraft data(Map<String, ?> values) {
    data.putAll(values);
    return this;
  }

  /** Adds one payload field. */
  public EventDraft put(String field, Object value) {
    data.put(field, value);
    return this;
  }

  String type() {
    return type;
  }

  String id() {
    return id;
  }

  String agentId() {
    return agentId;
  }

  String runId() {
    return runId;
  }

  String parentId() {
    return parentId;
  }

  String target() {
    return target;
  }

  Instant ts() {
    return ts;
  }

  Priority priority() {
    return priority;
  }

  Map<String, Object> dataFields() {
    return data;
  }
}
