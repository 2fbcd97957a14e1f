package io.agentwatch.server.stream;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.MalformedCursorException;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.util.List;

/** Parsing of filters and cursors given by clients, with precise 400 answers. */
public final class StreamRequests {

  private StreamRequests() {}

  public static EventFilter filter(String runId, String agentId, List<String> types) {
    checkName("runId", runId);
    checkName("agentId", agentId);
    if (types != null && types.size() > 50) {
      throw ApiException.badRequest("at most 50 type filters are allowed but there were " + types.size());
    }
    try {
      return new EventFilter(Params.optional(runId), Params.optional(agentId), types);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** The cursor in {@code text}, or null when absent. */
  public static Cursor cursor(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Cursor.parse(text.trim());
    } catch (MalformedCursorException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** A {@code true}/{@code false} parameter; absent is false. */
  public static boolean flag(String field, String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.badRequest(field + " must be true or false but was '" + value + "'");
    };
  }

  private static void checkName(String field, String value) {
    if (value != null && value.length() > 128) {
      throw ApiException.badRequest(field + " must be at most 128 characters");
    }
  }
}
