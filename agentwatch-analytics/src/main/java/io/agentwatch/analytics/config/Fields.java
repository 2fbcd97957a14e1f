package io.agentwatch.analytics.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** Reading the fields of a budget or policy definition, each failure naming its field. */
public final class Fields {

  public static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,48}");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final int MAX_TEXT = 200;

  private Fields() {}

  /** Refuses fields other than {@code allowed}. */
  public static void only(JsonNode object, String path, Set<String> allowed) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.properties().iterator(); it.hasNext(); ) {
      String name = it.next().getKey();
      if (!allowed.contains(name)) {
        throw new InvalidDefinitionException(path + name, "is not a field here; the fields are "
            + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  public static JsonNode object(JsonNode parent, String name, String path) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new InvalidDefinitionException(path + name, "must be an object");
    }
    return v;
  }

  /** A string field of 1 to 200 characters, or null when absent. */
  public static String text(JsonNode parent, String name, String path) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString() || v.stringValue().isBlank() || v.stringValue().length() > MAX_TEXT) {
      throw new InvalidDefinitionException(path + name, "must be a string of 1-" + MAX_TEXT + " characters but was "
          + abbreviate(v));
    }
    return v.stringValue();
  }

  public static String required(String value, String field) {
    if (value == null) {
      throw new InvalidDefinitionException(field, "is required");
    }
    return value;
  }

  public static String id(JsonNode parent, String name, String path) {
    String id = text(parent, name, path);
    if (id != null && !ID.matcher(id).matches()) {
      throw new InvalidDefinitionException(path + name, "must be 1-48 characters of A-Z a-z 0-9 . _ : - but was '"
          + id + "'");
    }
    return id;
  }

  /** One of {@code allowed}, or null when absent. */
  public static String oneOf(JsonNode parent, String name, String path, Set<String> allowed) {
    String v = text(parent, name, path);
    if (v != null && !allowed.contains(v)) {
      throw new InvalidDefinitionException(path + name, "must be one of " + String.join(", ",
          allowed.stream().sorted().toList()) + " but was '" + v + "'");
    }
    return v;
  }

  /** A finite number, or null when absent. */
  public static Double number(JsonNode parent, String name, String path) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw new InvalidDefinitionException(path + name, "must be a number but was " + abbreviate(v));
    }
    return v.doubleValue();
  }

  /** A whole number, or null when absent. */
  public static Integer whole(JsonNode parent, String name, String path, int min, int max) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
      throw new InvalidDefinitionException(path + name, "must be a whole number from " + min + " to " + max
          + " but was " + abbreviate(v));
    }
    return v.intValue();
  }

  /**
   * A duration like {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d} or ISO-8601 {@code PT1H},
   * within (0, max], or null when absent.
   */
  public static Duration duration(JsonNode parent, String name, String path, Duration min, Duration max) {
    JsonNode v = parent.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    Duration d = v.isString() ? parseDuration(v.stringValue()) : null;
    if (d == null) {
      throw new InvalidDefinitionException(path + name, "must be a duration like 30s, 5m, 1h, 1d or PT1H but was "
          + abbreviate(v));
    }
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new InvalidDefinitionException(path + name, "must be from " + format(min) + " to " + format(max)
          + " but was " + v.stringValue());
    }
    return d;
  }

  static Duration parseDuration(String text) {
    Matcher m = SHORT_DURATION.matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {@code 1h}, {@code 30m}, {@code 90s}: the short form definitions are written and answered in. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static String abbreviate(JsonNode v) {
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
