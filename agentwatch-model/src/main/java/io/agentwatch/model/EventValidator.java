package io.agentwatch.model;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Checks an envelope (as a JSON tree) against API.md and reports every problem, each with the
 * field path and the reason. Known types also get their {@code data} fields checked; other
 * well-formed types pass with any {@code data} object.
 *
 * <p>Thread-safe and stateless.
 */
public final class EventValidator {

  public static final int MAX_DATA_BYTES = 100 * 1024;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");
  /** RFC 3339 date-time; stricter than ISO 8601, which also takes missing seconds or odd offsets. */
  private static final Pattern RFC_3339 =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");
  private static final int MAX_TYPE = 64;
  private static final int MAX_NAME = 128;

  /**
   * Types only the server writes, with the endpoint that writes them: a client-sent edit would
   * bypass If-Match, a client-sent command would reach agents without the admin scope, a
   * client-sent budget or policy would change what the analytics does without the admin scope.
   */
  private static final Map<String, String> RESERVED_TYPES = Map.of(
      "agent.edited", "PATCH /api/v1/agents/{id}",
      "run.edited", "PATCH /api/v1/runs/{id}",
      "command.issued", "POST /api/v1/agents/{id}/commands",
      "budget.set", "POST /api/v1/budgets",
      "budget.deleted", "DELETE /api/v1/budgets/{id}",
      "policy.set", "POST and PATCH /api/v1/policies",
      "policy.deleted", "DELETE /api/v1/policies/{id}",
      "policy.matched", "the policies of /api/v1/policies");

  /**
   * Whether events of {@code type} are written only by the server itself (alerts, commands issued,
   * edits), never sent by agents.
   */
  public static boolean writtenByServer(String type) {
    return RESERVED_TYPES.containsKey(type) || type.startsWith(ALERT_PREFIX);
  }

  /** What an agent may answer to a command (API.md {@code command} frame). */
  public static final Set<String> COMMAND_TYPES = Set.of("pause", "resume", "cancel", "quarantine");
  private static final Set<String> COMMAND_OUTCOMES = Set.of("applied", "rejected");
  /** Alerts are raised, resolved and acknowledged by the server; a forged one would look like a finding. */
  private static final String ALERT_PREFIX = "alert.";

  private static final Set<String> AGENT_STATUSES =
      Set.of("idle", "busy", "paused", "error", "offline", "quarantined");

  /** Required and optional {@code data} fields of the known types (API.md). */
  private static final Map<String, List<Field>> KNOWN_TYPES = Map.ofEntries(
      Map.entry("agent.registered", List.of(
          Field.required("role", Kind.TEXT), Field.optional("name", Kind.TEXT),
          Field.optional("capabilities", Kind.TEXT_ARRAY))),
      Map.entry("agent.heartbeat", List.of(
          Field.optional("cpu", Kind.NON_NEGATIVE), Field.optional("memoryMb", Kind.NON_NEGATIVE),
          Field.optional("queueDepth", Kind.NON_NEGATIVE))),
      Map.entry("agent.status", List.of(Field.required("status", Kind.AGENT_STATUS))),
      Map.entry("task.created", List.of(
          Field.required("taskId", Kind.TEXT), Field.optional("title", Kind.TEXT),
          Field.optional("assignee", Kind.TEXT), Field.optional("parentTaskId", Kind.TEXT))),
      Map.entry("task.assigned", List.of(Field.required("taskId", Kind.TEXT), Field.required("assignee", Kind.TEXT))),
      Map.entry("task.started", List.of(Field.required("taskId", Kind.TEXT))),
      Map.entry("task.completed", List.of(Field.required("taskId", Kind.TEXT))),
      Map.entry("task.progress", List.of(Field.required("taskId", Kind.TEXT), Field.required("percent", Kind.PERCENT))),
      Map.entry("task.failed", List.of(Field.required("taskId", Kind.TEXT), Field.required("error", Kind.TEXT))),
      Map.entry("message.sent", List.of(Field.required("to", Kind.TEXT), Field.required("content", Kind.STRING))),
      Map.entry("tool.called", List.of(Field.required("tool", Kind.TEXT))),
      Map.entry("tool.result", List.of(
          Field.required("tool", Kind.TEXT), Field.optional("durationMs", Kind.NON_NEGATIVE),
          Field.optional("error", Kind.STRING))),
      Map.entry("llm.call", List.of(
          Field.required("model", Kind.TEXT), Field.required("inputTokens", Kind.COUNT),
          Field.required("outputTokens", Kind.COUNT), Field.optional("costUsd", Kind.NON_NEGATIVE),
          Field.optional("latencyMs", Kind.NON_NEGATIVE))),
      Map.entry("metric", List.of(
          Field.required("name", Kind.TEXT), Field.required("value", Kind.NUMBER), Field.optional("unit", Kind.TEXT))),
      Map.entry("log", List.of(Field.required("level", Kind.TEXT), Field.required("message", Kind.STRING))),
      Map.entry("error.occurred", List.of(Field.required("message", Kind.STRING))),
      Map.entry("command.acknowledged", List.of(
          Field.required("commandId", Kind.TEXT), Field.optional("type", Kind.TEXT),
          Field.required("outcome", Kind.COMMAND_OUTCOME), Field.optional("reason", Kind.STRING))));

  /**
   * Every problem of {@code node} as an envelope; empty when it is valid. {@code dataBytes} is the
   * serialized size of {@code data} (or -1 when unknown), checked against {@link #MAX_DATA_BYTES}.
   */
  public List<Problem> validate(JsonNode node, int dataBytes) {
    List<Problem> problems = new ArrayList<>();
    if (node == null || !node.isObject()) {
      problems.add(new Problem("", "must be a JSON object"));
      return problems;
    }
    checkPattern(node, "id", true, ID, "must be 1-64 characters of A-Z a-z 0-9 . _ : -", problems);
    checkType(node, problems);
    checkName(node, "agentId", true, problems);
    checkName(node, "runId", false, problems);
    checkTimestamp(node, problems);
    checkPattern(node, "parentId", false, ID, "must be 1-64 characters of A-Z a-z 0-9 . _ : -", problems);
    checkName(node, "target", false, problems);

    JsonNode data = node.get("data");
    if (data != null && !data.isNull() && !data.isObject()) {
      problems.add(new Problem("data", "must be a JSON object"));
      return problems;
    }
    if (dataBytes > MAX_DATA_BYTES) {
      problems.add(new Problem("data", "must be at most " + MAX_DATA_BYTES + " bytes serialized but was " + dataBytes));
    }
    JsonNode type = node.get("type");
    List<Field> fields = type != null && type.isString() ? KNOWN_TYPES.get(type.stringValue()) : null;
    if (fields != null) {
      for (Field field : fields) {
        JsonNode value = data == null ? null : data.get(field.name());
        if (value == null || value.isNull()) {
          if (field.required()) {
            problems.add(new Problem("data." + field.name(), "is required"));
          }
        } else {
          String reason = field.kind().check(value);
          if (reason != null) {
            problems.add(new Problem("data." + field.name(), reason));
          }
        }
      }
    }
    return problems;
  }

  /** Whether {@code type} is one of the types API.md gives a payload schema for. */
  public static boolean isKnownType(String type) {
    return KNOWN_TYPES.containsKey(type);
  }

  private static void checkType(JsonNode node, List<Problem> problems) {
    JsonNode type = node.get("type");
    if (type == null || type.isNull()) {
      problems.add(new Problem("type", "is required"));
    } else if (!type.isString()) {
      problems.add(new Problem("type", "must be a string"));
    } else if (!isKnownType(type.stringValue())
        // API.md's table has two undotted types (metric, log) that its type pattern would refuse.
        && (type.stringValue().length() > MAX_TYPE || !TYPE.matcher(type.stringValue()).matches())) {
      problems.add(new Problem("type", "must be dotted lower-case like task.started (at most 64 characters) but was "
          + quote(type.stringValue())));
    } else if (RESERVED_TYPES.containsKey(type.stringValue())) {
      problems.add(new Problem("type", "'" + type.stringValue() + "' is written by the server for "
          + RESERVED_TYPES.get(type.stringValue()) + "; clients may not send it"));
    } else if (type.stringValue().startsWith(ALERT_PREFIX)) {
      problems.add(new Problem("type", "'" + type.stringValue()
          + "' is written by the server's analytics (alert.*); clients may not send it"));
    }
  }

  private static void checkPattern(
      JsonNode node, String field, boolean required, Pattern pattern, String rule, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        problems.add(new Problem(field, "is required"));
      }
    } else if (!value.isString()) {
      problems.add(new Problem(field, "must be a string"));
    } else if (!pattern.matcher(value.stringValue()).matches()) {
      problems.add(new Problem(field, rule + " but was " + quote(value.stringValue())));
    }
  }

  private static void checkName(JsonNode node, String field, boolean required, List<Problem> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        problems.add(new Problem(field, "is required"));
      }
    } else if (!value.isString()) {
      problems.add(new Problem(field, "must be a string"));
    } else if (value.stringValue().isEmpty() || value.stringValue().length() > MAX_NAME) {
      problems.add(new Problem(field, "must be 1-" + MAX_NAME + " characters but had " + value.stringValue().length()));
    }
  }

  private static void checkTimestamp(JsonNode node, List<Problem> problems) {
    JsonNode ts = node.get("ts");
    if (ts == null || ts.isNull()) {
      problems.add(new Problem("ts", "is required"));
    } else if (!ts.isString()) {
      problems.add(new Problem("ts", "must be an RFC 3339 timestamp string"));
    } else if (!isRfc3339(ts.stringValue())) {
      problems.add(new Problem("ts", "must be an RFC 3339 timestamp like 2026-11-28T16:00:00.123Z but was "
          + quote(ts.stringValue())));
    }
  }

  private static boolean isRfc3339(String ts) {
    if (!RFC_3339.matcher(ts).matches()) {
      return false;
    }
    try {
      OffsetDateTime.parse(ts);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  static String quote(String value) {
    return value.length() <= 80 ? "'" + value + "'" : "'" + value.substring(0, 80) + "…'";
  }

  private record Field(String name, boolean required, Kind kind) {
    static Field required(String name, Kind kind) {
      return new Field(name, true, kind);
    }

    static Field optional(String name, Kind kind) {
      return new Field(name, false, kind);
    }
  }

  /** The shape a {@code data} field must have; {@link #check} returns the reason it fails, or null. */
  private enum Kind {
    STRING {
      @Override
      String check(JsonNode v) {
        return v.isString() ? null : "must be a string";
      }
    },
    TEXT {
      @Override
      String check(JsonNode v) {
        return v.isString() && !v.stringValue().isEmpty() ? null : "must be a non-empty string";
      }
    },
    TEXT_ARRAY {
      @Override
      String check(JsonNode v) {
        if (!v.isArray()) {
          return "must be an array of strings";
        }
        for (JsonNode item : v) {
          if (!item.isString()) {
            return "must be an array of strings";
          }
        }
        return null;
      }
    },
    NUMBER {
      @Override
      String check(JsonNode v) {
        return checkNumber(v);
      }
    },
    NON_NEGATIVE {
      @Override
      String check(JsonNode v) {
        String notANumber = checkNumber(v);
        if (notANumber != null) {
          return notANumber;
        }
        return v.doubleValue() >= 0 ? null : "must be >= 0 but was " + v;
      }
    },
    COUNT {
      @Override
      String check(JsonNode v) {
        if (!v.isIntegralNumber()) {
          return "must be a whole number";
        }
        // Compared as BigInteger: longValue() throws for values outside the long range.
        if (v.bigIntegerValue().signum() < 0) {
          return "must be >= 0 but was " + v;
        }
        return v.canConvertToLong() ? null : "must be at most " + Long.MAX_VALUE + " but was " + v;
      }
    },
    PERCENT {
      @Override
      String check(JsonNode v) {
        String notANumber = checkNumber(v);
        if (notANumber != null) {
          return notANumber;
        }
        double p = v.doubleValue();
        return p >= 0 && p <= 100 ? null : "must be 0..100 but was " + v;
      }
    },
    AGENT_STATUS {
      @Override
      String check(JsonNode v) {
        if (v.isString() && AGENT_STATUSES.contains(v.stringValue())) {
          return null;
        }
        return "must be one of idle, busy, paused, error, offline, quarantined but was " + v;
      }
    },
    COMMAND_OUTCOME {
      @Override
      String check(JsonNode v) {
        if (v.isString() && COMMAND_OUTCOMES.contains(v.stringValue())) {
          return null;
        }
        return "must be applied or rejected but was " + v;
      }
    };

    abstract String check(JsonNode value);

    /**
     * Null for a finite number. A literal beyond the double range (1e400) parses as infinity,
     * which the stored JSON would then hold as the text "Infinity".
     */
    private static String checkNumber(JsonNode v) {
      if (!v.isNumber()) {
        return "must be a number";
      }
      return !v.isFloatingPointNumber() || Double.isFinite(v.doubleValue()) ? null : "must be a finite number";
    }
  }
}
