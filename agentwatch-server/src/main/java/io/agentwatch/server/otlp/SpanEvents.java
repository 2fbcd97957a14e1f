package io.agentwatch.server.otlp;

import io.agentwatch.model.EventCodec;
import io.agentwatch.server.otlp.GenAiOperation.Names;
import io.agentwatch.server.otlp.SpanMapper.Item;
import io.agentwatch.server.otlp.SpanMapper.Tree;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * The event envelopes of one span (not yet validated). The span's first event (its "primary") has
 * the id {@code <traceId>-<spanId>}; the others add a suffix. Child spans name their parent span's
 * primary as {@code parentId}, so the causal chain follows the trace even across exports.
 */
final class SpanEvents {

  /** At most this many attributes are kept on a generic {@code span.recorded} event. */
  static final int MAX_ATTRIBUTES = 64;
  /** Longest attribute text kept on a generic {@code span.recorded} event. */
  static final int MAX_ATTRIBUTE_TEXT = 1024;

  private final Item item;
  private final Tree tree;
  private final Span span;
  private final SpanAttributes a;
  private final String agentId;
  private final String runId;
  private final Instant start;
  private final Instant end;
  private final String parentPrimary;
  private final List<ObjectNode> envelopes = new ArrayList<>();

  SpanEvents(Item item, Tree tree, Instant receivedAt) {
    this.item = item;
    this.tree = tree;
    this.span = item.span();
    this.a = item.attributes();
    this.agentId = tree.agent(item);
    this.runId = tree.run(item);
    this.start = span.getStartTimeUnixNano() == 0 ? receivedAt : instant(span.getStartTimeUnixNano());
    this.end = span.getEndTimeUnixNano() == 0 ? start : instant(span.getEndTimeUnixNano());
    this.parentPrimary = item.parentSpanId().isEmpty() ? null : id(item.parentSpanId(), "");
  }

  List<ObjectNode> envelopes() {
    String failure = failure();
    switch (item.operation()) {
      case INVOKE_AGENT -> invokeAgent(failure);
      case CREATE_AGENT -> emit("", "agent.registered", start, parentPrimary, null, registration());
      case EXECUTE_TOOL -> tool(failure);
      case MODEL_CALL -> modelCall(failure);
      case OTHER -> other(failure);
    }
    if (failure == null) {
      exceptions();
    }
    return envelopes;
  }

  /** Registration, then a task run by the agent: created by the invoking agent when there is one. */
  private void invokeAgent(String failure) {
    String taskId = item.spanId();
    Item parent = tree.parent(item);
    String delegator = parent == null ? agentId : tree.agent(parent);
    emit("reg", "agent.registered", start, parentPrimary, null, registration());
    ObjectNode created = data().put("taskId", taskId).put("title", span.getName()).put("assignee", agentId);
    Item invoking = tree.invokingAncestor(item);
    if (invoking != null) {
      created.put("parentTaskId", invoking.spanId());
    }
    envelopes.add(envelope("task", "task.created", delegator, start, parentPrimary,
        delegator.equals(agentId) ? null : agentId, created));
    emit("", "task.started", start, parentPrimary, null, data().put("taskId", taskId));
    if (failure == null) {
      emit("end", "task.completed", end, primary(), null, data().put("taskId", taskId).put("durationMs", durationMs()));
    } else {
      emit("end", "task.failed", end, primary(), null, data().put("taskId", taskId).put("error", failure)
          .put("durationMs", durationMs()));
    }
  }

  private ObjectNode registration() {
    ObjectNode data = data().put("role", "agent");
    putText(data, "name", a.text(Names.AGENT_NAME));
    putText(data, "description", a.text("gen_ai.agent.description"));
    putText(data, "model", a.text(Names.MODEL));
    putText(data, "provider", a.text(Names.PROVIDER));
    return data;
  }

  private void tool(String failure) {
    String tool = a.text(Names.TOOL);
    if (tool == null && "tool".equalsIgnoreCase(a.text("traceloop.span.kind"))) {
      tool = a.text(Names.ENTITY);
    }
    if (tool == null) {
      tool = span.getName();
    }
    ObjectNode called = data().put("tool", tool);
    putText(called, "callId", a.text("gen_ai.tool.call.id"));
    putText(called, "toolType", a.text("gen_ai.tool.type"));
    putText(called, "arguments", a.text("gen_ai.tool.call.arguments", "tool.parameters"));
    emit("", "tool.called", start, parentPrimary, null, called);
    ObjectNode result = data().put("tool", tool).put("durationMs", durationMs());
    putText(result, "callId", a.text("gen_ai.tool.call.id"));
    putText(result, "result", a.text("gen_ai.tool.call.result"));
    putText(result, "error", failure);
    emit("res", "tool.result", end, primary(), null, result);
  }

  private void modelCall(String failure) {
    String model = a.text(Names.MODEL);
    Long input = a.whole(Names.INPUT_TOKENS);
    Long output = a.whole(Names.OUTPUT_TOKENS);
    ObjectNode data = data()
        .put("model", model == null ? "unknown" : model)
        .put("inputTokens", input == null ? 0 : input)
        .put("outputTokens", output == null ? 0 : output)
        .put("latencyMs", durationMs());
    Long total = a.whole(Names.TOTAL_TOKENS);
    if (total != null) {
      data.put("totalTokens", total);
    }
    putText(data, "operation", a.text("gen_ai.operation.name", "llm.request.type"));
    putText(data, "provider", a.text(Names.PROVIDER));
    putText(data, "requestModel", a.text("gen_ai.request.model"));
    putText(data, "finishReasons", a.text("gen_ai.response.finish_reasons"));
    putText(data, "responseId", a.text("gen_ai.response.id"));
    emit("", "llm.call", end, parentPrimary, null, data);
    if (failure != null) {
      emitError("err", failure, end);
    }
  }

  private void other(String failure) {
    ObjectNode data = data().put("name", span.getName())
        .put("kind", span.getKind().name().replace("SPAN_KIND_", "").toLowerCase(Locale.ROOT))
        .put("durationMs", durationMs())
        .put("status", span.getStatus().getCode().name().replace("STATUS_CODE_", "").toLowerCase(Locale.ROOT));
    ObjectNode attributes = data.putObject("attributes");
    // Sorted, so the same span always keeps the same attributes when it has too many.
    Map<String, AnyValue> sorted = new TreeMap<>(a.all());
    sorted.entrySet().stream().limit(MAX_ATTRIBUTES).forEach(e -> putAttribute(attributes, e.getKey(), e.getValue()));
    emit("", "span.recorded", start, parentPrimary, null, data);
    if (failure != null) {
      emitError("err", failure, end);
    }
  }

  /** Exceptions recorded on a span that did not fail: each is an error of the span's agent. */
  private void exceptions() {
    List<Span.Event> events = span.getEventsList();
    for (int i = 0; i < events.size(); i++) {
      Span.Event e = events.get(i);
      if (e.getName().equals("exception")) {
        SpanAttributes ea = SpanAttributes.of(e.getAttributesList());
        String message = exceptionText(ea);
        emitError("exc" + i, message == null ? "exception" : message,
            e.getTimeUnixNano() == 0 ? end : instant(e.getTimeUnixNano()));
      }
    }
  }

  /** Why the span failed (status ERROR), or null when it did not. */
  private String failure() {
    if (span.getStatus().getCode() != Status.StatusCode.STATUS_CODE_ERROR) {
      return null;
    }
    if (!span.getStatus().getMessage().isEmpty()) {
      return truncate(span.getStatus().getMessage(), SpanAttributes.MAX_TEXT);
    }
    for (Span.Event e : span.getEventsList().reversed()) {
      if (e.getName().equals("exception")) {
        String message = exceptionText(SpanAttributes.of(e.getAttributesList()));
        if (message != null) {
          return message;
        }
      }
    }
    String type = a.text("error.type");
    return type == null ? "span ended with status ERROR" : type;
  }

  private static String exceptionText(SpanAttributes ea) {
    String type = ea.text("exception.type");
    String message = ea.text("exception.message");
    if (type != null && message != null) {
      return type + ": " + message;
    }
    return message != null ? message : type;
  }

  private void emitError(String suffix, String message, Instant at) {
    ObjectNode data = data().put("message", message).put("span", span.getName());
    putText(data, "errorType", a.text("error.type"));
    emit(suffix, "error.occurred", at, primary(), null, data);
  }

  private void emit(String suffix, String type, Instant ts, String parentId, String target, ObjectNode data) {
    envelopes.add(envelope(suffix, type, agentId, ts, parentId, target, data));
  }

  private ObjectNode envelope(String suffix, String type, String agent, Instant ts, String parentId, String target,
      ObjectNode data) {
    ObjectNode e = EventCodec.JSON.createObjectNode();
    e.put("id", id(item.spanId(), suffix));
    e.put("type", type);
    e.put("agentId", agent);
    e.put("runId", runId);
    e.put("ts", ts.toString());
    if (parentId != null) {
      e.put("parentId", parentId);
    }
    if (target != null) {
      e.put("target", target);
    }
    e.set("data", data);
    return e;
  }

  private String primary() {
    return id(item.spanId(), "");
  }

  /** {@code <traceId>-<spanId>[-<suffix>]}: at most 32 + 1 + 16 + 1 + 6 characters. */
  private String id(String spanId, String suffix) {
    String id = item.traceId() + "-" + spanId;
    return suffix.isEmpty() ? id : id + "-" + suffix;
  }

  private long durationMs() {
    long nanos = span.getEndTimeUnixNano() - span.getStartTimeUnixNano();
    return span.getEndTimeUnixNano() == 0 || nanos < 0 ? 0 : nanos / 1_000_000;
  }

  private static ObjectNode data() {
    return EventCodec.JSON.createObjectNode();
  }

  private static void putText(ObjectNode data, String field, String value) {
    if (value != null) {
      data.put(field, value);
    }
  }

  private static void putAttribute(ObjectNode into, String key, AnyValue v) {
    switch (v.getValueCase()) {
      case BOOL_VALUE -> into.put(key, v.getBoolValue());
      case INT_VALUE -> into.put(key, v.getIntValue());
      case DOUBLE_VALUE -> {
        if (Double.isFinite(v.getDoubleValue())) {
          into.put(key, v.getDoubleValue());
        } else {
          into.put(key, Double.toString(v.getDoubleValue()));
        }
      }
      default -> {
        String text = SpanAttributes.text(v);
        if (text != null) {
          into.put(key, truncate(text, MAX_ATTRIBUTE_TEXT));
        }
      }
    }
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static Instant instant(long unixNanos) {
    return Instant.ofEpochSecond(Long.divideUnsigned(unixNanos, 1_000_000_000L),
        Long.remainderUnsigned(unixNanos, 1_000_000_000L));
  }
}
