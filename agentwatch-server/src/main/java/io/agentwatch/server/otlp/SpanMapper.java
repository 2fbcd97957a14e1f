package io.agentwatch.server.otlp;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.server.otlp.GenAiOperation.Names;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns the spans of one OTLP trace export into Agentwatch events, following the OpenTelemetry
 * GenAI semantic conventions (docs/opentelemetry.md has the whole mapping).
 *
 * <p>Each span becomes a few events whose ids are derived from its trace and span id (plus a
 * suffix per derived event), so a retried export stores nothing twice. A span's agent, run and
 * parent agent come from its own attributes, else from its nearest ancestor in the same export,
 * else from the resource's {@code service.name} (agent) and the trace id (run). A span whose
 * events would not be valid is rejected whole and counted; the other spans still go in.
 *
 * <p>Plain and stateless: the same export always maps to the same events.
 */
public final class SpanMapper {

  /** The events of an export, in time order, and the spans that could not be taken. */
  public record Mapping(List<Event> events, int rejectedSpans, List<String> errors) {

    public Mapping {
      events = List.copyOf(events);
      errors = List.copyOf(errors);
    }
  }

  /** The agent of a span without agent attributes and without a resource {@code service.name}. */
  static final String UNKNOWN_SERVICE = "unknown_service";
  /** How far up the parent chain attributes are looked for; guards against cycles in hostile input. */
  private static final int MAX_DEPTH = 64;
  private static final HexFormat HEX = HexFormat.of();

  /** One span with what it inherits from its resource, and its ids in hex. */
  record Item(Span span, SpanAttributes attributes, SpanAttributes resource, GenAiOperation operation,
      String traceId, String spanId, String parentSpanId) {}

  public Mapping map(ExportTraceServiceRequest request, Instant receivedAt) {
    List<Item> items = new ArrayList<>();
    for (ResourceSpans rs : request.getResourceSpansList()) {
      SpanAttributes resource = SpanAttributes.of(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          SpanAttributes attributes = SpanAttributes.of(span.getAttributesList());
          items.add(new Item(span, attributes, resource, GenAiOperation.of(attributes),
              HEX.formatHex(span.getTraceId().toByteArray()), HEX.formatHex(span.getSpanId().toByteArray()),
              HEX.formatHex(span.getParentSpanId().toByteArray())));
        }
      }
    }
    Tree tree = new Tree(items);
    List<Event> events = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    int rejected = 0;
    for (Item item : items) {
      String invalid = checkIds(item);
      if (invalid == null) {
        try {
          events.addAll(decode(new SpanEvents(item, tree, receivedAt).envelopes()));
          continue;
        } catch (InvalidEventException e) {
          invalid = e.getMessage();
        }
      }
      rejected++;
      errors.add("span '" + item.span().getName() + "' (" + item.spanId() + "): " + invalid);
    }
    // Stable: events of the same instant keep the order of their spans (a parent's start first).
    events.sort(Comparator.comparing(Event::ts));
    return new Mapping(events, rejected, errors);
  }

  private static String checkIds(Item item) {
    if (item.traceId().length() != 32 || item.traceId().equals("0".repeat(32))) {
      return "trace id must be 16 bytes, not all zero, but was '" + item.traceId() + "'";
    }
    if (item.spanId().length() != 16 || item.spanId().equals("0".repeat(16))) {
      return "span id must be 8 bytes, not all zero, but was '" + item.spanId() + "'";
    }
    if (!item.parentSpanId().isEmpty() && item.parentSpanId().length() != 16) {
      return "parent span id must be empty or 8 bytes but was '" + item.parentSpanId() + "'";
    }
    return null;
  }

  /** Every envelope of one span validated, or the first span-level failure listing all problems. */
  private static List<Event> decode(List<ObjectNode> envelopes) {
    List<Event> events = new ArrayList<>(envelopes.size());
    for (var envelope : envelopes) {
      events.add(EventCodec.decode(envelope));
    }
    return events;
  }

  /** The spans of one export by id, to find what a span inherits from its ancestors. */
  static final class Tree {

    private final Map<String, Item> byId = new HashMap<>();
    private final Map<String, String> conversationByTrace = new HashMap<>();

    Tree(List<Item> items) {
      for (Item item : items) {
        byId.putIfAbsent(item.traceId() + item.spanId(), item);
        String conversation = item.attributes().text(Names.CONVERSATION);
        if (conversation != null) {
          conversationByTrace.putIfAbsent(item.traceId(), conversation);
        }
      }
    }

    Item parent(Item item) {
      return item.parentSpanId().isEmpty() ? null : byId.get(item.traceId() + item.parentSpanId());
    }

    /** The agent a span acts for: its own, its nearest ancestor's, or the service's. */
    String agent(Item item) {
      Item at = item;
      for (int depth = 0; at != null && depth < MAX_DEPTH; depth++, at = parent(at)) {
        String own = ownAgent(at);
        if (own != null) {
          return own;
        }
      }
      String service = item.resource().text("service.name");
      return service == null ? UNKNOWN_SERVICE : service;
    }

    /** The run of a span: the conversation it or an ancestor names, any span of its trace names, else its trace. */
    String run(Item item) {
      Item at = item;
      for (int depth = 0; at != null && depth < MAX_DEPTH; depth++, at = parent(at)) {
        String own = at.attributes().text(Names.CONVERSATION);
        if (own != null) {
          return own;
        }
      }
      return conversationByTrace.getOrDefault(item.traceId(), item.traceId());
    }

    /** The nearest ancestor that is an agent invocation, or null. */
    Item invokingAncestor(Item item) {
      Item at = parent(item);
      for (int depth = 0; at != null && depth < MAX_DEPTH; depth++, at = parent(at)) {
        if (at.operation() == GenAiOperation.INVOKE_AGENT) {
          return at;
        }
      }
      return null;
    }

    private static String ownAgent(Item item) {
      String agent = item.attributes().text(Names.AGENT);
      if (agent == null && item.operation() == GenAiOperation.INVOKE_AGENT) {
        agent = item.attributes().text(Names.ENTITY);
      }
      return agent;
    }
  }
}
