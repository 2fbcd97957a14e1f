package io.agentwatch.server.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The attributes of a span or resource, read by name. Each getter takes several names, tried in
 * order, because instrumentations wrote the same fact under different names as the OpenTelemetry
 * GenAI semantic conventions evolved (and OpenLLMetry and OpenInference have their own).
 */
final class SpanAttributes {

  /** Longest text kept from one attribute; keeps a derived event well under the 100 KB data limit. */
  static final int MAX_TEXT = 8 * 1024;

  private final Map<String, AnyValue> values;

  private SpanAttributes(Map<String, AnyValue> values) {
    this.values = values;
  }

  /** The attributes in {@code list}; of a repeated key the last one counts, as the SDKs do. */
  static SpanAttributes of(List<KeyValue> list) {
    Map<String, AnyValue> values = new HashMap<>(list.size() * 2);
    for (KeyValue kv : list) {
      values.put(kv.getKey(), kv.getValue());
    }
    return new SpanAttributes(values);
  }

  Map<String, AnyValue> all() {
    return values;
  }

  boolean hasAny(String... names) {
    for (String name : names) {
      if (values.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  /** The first of {@code names} present with a non-empty value, as text (at most {@link #MAX_TEXT} characters). */
  String text(String... names) {
    for (String name : names) {
      AnyValue v = values.get(name);
      String text = v == null ? null : text(v);
      if (text != null && !text.isEmpty()) {
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
      }
    }
    return null;
  }

  /** The first of {@code names} present as a whole number (a numeric string counts too). */
  Long whole(String... names) {
    for (String name : names) {
      AnyValue v = values.get(name);
      if (v == null) {
        continue;
      }
      switch (v.getValueCase()) {
        case INT_VALUE -> {
          return v.getIntValue();
        }
        case DOUBLE_VALUE -> {
          double d = v.getDoubleValue();
          if (Double.isFinite(d) && d == Math.rint(d)) {
            return (long) d;
          }
        }
        case STRING_VALUE -> {
          try {
            return Long.parseLong(v.getStringValue().trim());
          } catch (NumberFormatException e) {
            // not a number: try the next name
          }
        }
        default -> { }
      }
    }
    return null;
  }

  /** Any value as display text: arrays and maps in a JSON-like form, bytes as their length. */
  static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> "<" + v.getBytesValue().size() + " bytes>";
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(SpanAttributes::text)
          .collect(Collectors.joining(", ", "[", "]"));
      case KVLIST_VALUE -> v.getKvlistValue().getValuesList().stream().map(kv -> kv.getKey() + "=" + text(kv.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
      case STRING_VALUE_STRINDEX, VALUE_NOT_SET -> null;
    };
  }
}
