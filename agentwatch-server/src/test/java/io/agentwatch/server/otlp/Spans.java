package io.agentwatch.server.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.HexFormat;

/** OTLP spans built by hand, for mapping tests. */
final class Spans {

  static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
  /** 2026-11-28T16:00:00Z in Unix nanoseconds. */
  static final long T0 = 1_795_881_600_000_000_000L;

  private Spans() {}

  static Span.Builder span(String spanId, String parentSpanId, String name, long startMs, long endMs,
      Object... attributes) {
    Span.Builder span = Span.newBuilder()
        .setTraceId(bytes(TRACE))
        .setSpanId(bytes(spanId))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(T0 + startMs * 1_000_000)
        .setEndTimeUnixNano(T0 + endMs * 1_000_000);
    if (parentSpanId != null) {
      span.setParentSpanId(bytes(parentSpanId));
    }
    for (int i = 0; i < attributes.length; i += 2) {
      span.addAttributes(attribute((String) attributes[i], attributes[i + 1]));
    }
    return span;
  }

  static Span.Builder failed(Span.Builder span, String message) {
    return span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage(message));
  }

  static ExportTraceServiceRequest export(String serviceName, Span.Builder... spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span.Builder s : spans) {
      scope.addSpans(s);
    }
    Resource.Builder resource = Resource.newBuilder();
    if (serviceName != null) {
      resource.addAttributes(attribute("service.name", serviceName));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope))
        .build();
  }

  static KeyValue attribute(String key, Object value) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (value) {
      case Integer i -> v.setIntValue(i);
      case Long l -> v.setIntValue(l);
      case Double d -> v.setDoubleValue(d);
      case Boolean b -> v.setBoolValue(b);
      default -> v.setStringValue(value.toString());
    }
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }

  static ByteString bytes(String hex) {
    return ByteString.copyFrom(HexFormat.of().parseHex(hex));
  }
}
