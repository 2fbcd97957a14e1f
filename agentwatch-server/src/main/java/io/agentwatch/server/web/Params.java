package io.agentwatch.server.web;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Query parameters shared by the list endpoints, parsed with precise 400 answers. */
public final class Params {

  public static final int MAX_LIMIT = 1000;

  private Params() {}

  /** {@code limit}: 1..1000, {@code fallback} when absent. */
  public static int limit(String text, int fallback) {
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit < 1 || limit > MAX_LIMIT) {
        throw ApiException.badRequest("limit must be 1.." + MAX_LIMIT + " but was " + limit);
      }
      return limit;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit must be a whole number but was '" + text + "'");
    }
  }

  /** An optional text filter ({@code runId}, {@code agentId}…): null when absent or blank. */
  public static String optional(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  /** An RFC 3339 instant, or null when absent. A '+' that a URL turned into a space is restored. */
  public static Instant instant(String name, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim().replace(' ', '+')).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be an RFC 3339 timestamp like 2026-11-28T16:00:00Z but was '"
          + text + "'");
    }
  }
}
