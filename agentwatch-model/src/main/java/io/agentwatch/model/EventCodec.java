package io.agentwatch.model;

import java.io.StringWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON form of events: decoding (with validation) of what producers send, and the stored and
 * delivered forms. One shared {@link JsonMapper} for the whole project lives here.
 */
public final class EventCodec {

  /** Duplicate keys are refused: a hostile body must not mean two things to two readers. */
  public static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private static final EventValidator VALIDATOR = new EventValidator();

  private EventCodec() {}

  /**
   * The event in {@code node}, validated.
   *
   * @throws InvalidEventException listing every problem when it is not a valid envelope
   */
  public static Event decode(JsonNode node) {
    return decode(node, -1);
  }

  /**
   * As {@link #decode(JsonNode)}, for an event whose serialized size the caller knows (-1 when it
   * does not): an event no larger than the {@code data} limit cannot break it, so its {@code data}
   * is not serialized again just to be measured.
   */
  public static Event decode(JsonNode node, int serializedBytes) {
    JsonNode data = node != null && node.isObject() ? node.get("data") : null;
    boolean mustMeasure = serializedBytes < 0 || serializedBytes > EventValidator.MAX_DATA_BYTES;
    int dataBytes = mustMeasure && data != null && data.isObject() ? JSON.writeValueAsBytes(data).length : -1;
    List<Problem> problems = VALIDATOR.validate(node, dataBytes);
    if (!problems.isEmpty()) {
      throw new InvalidEventException(problems);
    }
    return fromValidTree(node);
  }

  /** Decodes an envelope that this server stored itself. */
  static Event decodeTrusted(String envelopeJson) {
    return fromValidTree(JSON.readTree(envelopeJson));
  }

  private static Event fromValidTree(JsonNode node) {
    JsonNode data = node.get("data");
    return new Event(
        node.get("id").stringValue(),
        node.get("type").stringValue(),
        node.get("agentId").stringValue(),
        textOrNull(node, "runId"),
        OffsetDateTime.parse(node.get("ts").stringValue()).toInstant(),
        textOrNull(node, "parentId"),
        textOrNull(node, "target"),
        data == null || data.isNull() ? JSON.createObjectNode() : (ObjectNode) data);
  }

  private static String textOrNull(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.stringValue();
  }

  /** {@link #encodeEnvelope} of each event, in order. */
  public static List<String> encodeEnvelopes(List<Event> events) {
    List<String> envelopes = new ArrayList<>(events.size());
    for (Event e : events) {
      envelopes.add(encodeEnvelope(e));
    }
    return envelopes;
  }

  /** The stored form of an envelope: the producer's fields only, {@code ts} normalised to UTC. */
  public static String encodeEnvelope(Event event) {
    StringWriter out = new StringWriter(256 + event.data().size() * 32);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringProperty("id", event.id());
      g.writeStringProperty("type", event.type());
      g.writeStringProperty("agentId", event.agentId());
      if (event.runId() != null) {
        g.writeStringProperty("runId", event.runId());
      }
      g.writeStringProperty("ts", event.ts().toString());
      if (event.parentId() != null) {
        g.writeStringProperty("parentId", event.parentId());
      }
      if (event.target() != null) {
        g.writeStringProperty("target", event.target());
      }
      g.writeName("data");
      g.writeTree(event.data());
      g.writeEndObject();
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot encode event " + event.id(), e);
    }
    return out.toString();
  }

  /** Appends the server's fields to a stored envelope without parsing it again. */
  static String withServerFields(String envelopeJson, String tenant, String cursor, Instant receivedAt) {
    StringBuilder sb = new StringBuilder(envelopeJson.length() + 120);
    sb.append(envelopeJson, 0, envelopeJson.lastIndexOf('}'));
    sb.append(",\"tenant\":\"");
    JsonStringEncoder.getInstance().quoteAsString(tenant, sb);
    sb.append("\",\"cursor\":\"").append(cursor);
    sb.append("\",\"receivedAt\":\"").append(receivedAt).append("\"}");
    return sb.toString();
  }
}
