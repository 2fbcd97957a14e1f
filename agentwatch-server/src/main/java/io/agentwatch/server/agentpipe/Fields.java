package io.agentwatch.server.agentpipe;

import io.agentwatch.model.Problem;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads the snake_case fields of one AgentPipe JSON object, collecting a {@link Problem} with its
 * full path (e.g. {@code messages[3].content}) for every field that is missing or malformed, so
 * a request is answered with all its problems at once. Getters return null for a bad field.
 */
final class Fields {

  /** Longest name used as an agent or run id (API.md). */
  static final int MAX_ID = 128;
  /** Longest message content (AgentPipe's own limit). */
  static final int MAX_CONTENT = 100_000;

  private final JsonNode node;
  private final String path;
  private final List<Problem> problems;

  private Fields(JsonNode node, String path, List<Problem> problems) {
    this.node = node;
    this.path = path;
    this.problems = problems;
  }

  /** The fields of {@code node}, or null (with a problem) when it is not an object. */
  static Fields of(JsonNode node, String path, List<Problem> problems) {
    if (node == null || !node.isObject()) {
      problems.add(new Problem(path, node == null || node.isNull() ? "is required: an object" : "must be an object"));
      return null;
    }
    return new Fields(node, path, problems);
  }

  JsonNode node() {
    return node;
  }

  /** Where this reader collects its problems (shared with the readers of nested objects). */
  List<Problem> problems() {
    return problems;
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  Fields object(String field, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(new Problem(path(field), "is required: an object"));
      }
      return null;
    }
    return of(v, path(field), problems);
  }

  /** An array (possibly empty), or null. */
  JsonNode array(String field, boolean required) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(new Problem(path(field), "is required: an array"));
      }
      return null;
    }
    if (!v.isArray()) {
      problems.add(new Problem(path(field), "must be an array"));
      return null;
    }
    return v;
  }

  /** A string, at most {@code max} characters; required ones must not be empty. */
  String text(String field, boolean required, int max) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      if (required) {
        problems.add(new Problem(path(field), "is required"));
      }
      return null;
    }
    if (!v.isString()) {
      problems.add(new Problem(path(field), "must be a string"));
      return null;
    }
    String s = v.stringValue();
    if (required && s.isEmpty()) {
      problems.add(new Problem(path(field), "must not be empty"));
      return null;
    }
    if (s.length() > max) {
      problems.add(new Problem(path(field), "must be at most " + max + " characters but had " + s.length()));
      return null;
    }
    return s;
  }

  /** A name that becomes an agent or run id: 1-128 characters. */
  String id(String field, boolean required) {
    String s = text(field, required, MAX_ID);
    if (s != null && s.isEmpty()) {
      problems.add(new Problem(path(field), "must not be empty"));
      return null;
    }
    return s;
  }

  /** One of {@code allowed}, or null. */
  String choice(String field, Set<String> allowed) {
    String s = text(field, true, 64);
    if (s != null && !allowed.contains(s)) {
      problems.add(new Problem(path(field), "must be one of " + String.join(", ", allowed.stream().sorted().toList())
          + " but was '" + s + "'"));
      return null;
    }
    return s;
  }

  /** A whole number >= 0 (token counts, sequence numbers), or null when absent or bad. */
  Long count(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !(v.isIntegralNumber() || v.doubleValue() == Math.rint(v.doubleValue()))
        || !v.canConvertToLong() || v.longValue() < 0) {
      problems.add(new Problem(path(field), "must be a whole number >= 0 but was " + v));
      return null;
    }
    return v.longValue();
  }

  /** A finite number >= 0 (cost, durations), or null when absent or bad. */
  Double amount(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !Double.isFinite(v.doubleValue()) || v.doubleValue() < 0) {
      problems.add(new Problem(path(field), "must be a number >= 0 but was " + v));
      return null;
    }
    return v.doubleValue();
  }

  /** An ISO 8601 / RFC 3339 timestamp with offset, or null. */
  Instant timestamp(String field, boolean required) {
    String s = text(field, required, 64);
    if (s == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      problems.add(new Problem(path(field), "must be an ISO 8601 timestamp like 2026-11-28T16:00:00.123Z but was '"
          + s + "'"));
      return null;
    }
  }
}
