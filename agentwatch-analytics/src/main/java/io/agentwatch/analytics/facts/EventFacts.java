package io.agentwatch.analytics.facts;

import io.agentwatch.model.Event;
import tools.jackson.databind.JsonNode;

/**
 * What the analytics reads out of an event's {@code data}, in one place so that the detectors
 * agree on what counts as an error, a latency or a cost.
 */
public final class EventFacts {

  private EventFacts() {}

  /**
   * Whether the event reports a failure: {@code error.occurred}, {@code task.failed}, a
   * {@code tool.result} with a non-empty {@code error}, or a {@code log} at level error or fatal.
   */
  public static boolean isError(Event e) {
    return switch (e.type()) {
      case "error.occurred", "task.failed" -> true;
      case "tool.result" -> {
        String error = text(e.data(), "error");
        yield error != null && !error.isEmpty();
      }
      case "log" -> {
        String level = text(e.data(), "level");
        yield "error".equalsIgnoreCase(level) || "fatal".equalsIgnoreCase(level);
      }
      default -> false;
    };
  }

  /** The latency the event reports in ms ({@code llm.call} latencyMs, {@code tool.result} durationMs), or -1. */
  public static double latencyMs(Event e) {
    return switch (e.type()) {
      case "llm.call" -> number(e.data(), "latencyMs", -1);
      case "tool.result" -> number(e.data(), "durationMs", -1);
      default -> -1;
    };
  }

  public static long inputTokens(Event e) {
    return e.type().equals("llm.call") ? (long) number(e.data(), "inputTokens", 0) : 0;
  }

  public static long outputTokens(Event e) {
    return e.type().equals("llm.call") ? (long) number(e.data(), "outputTokens", 0) : 0;
  }

  public static double costUsd(Event e) {
    return e.type().equals("llm.call") ? number(e.data(), "costUsd", 0) : 0;
  }

  /** A string field of {@code data}, or null when absent or not a string. */
  public static String text(JsonNode data, String field) {
    JsonNode v = data.get(field);
    return v != null && v.isString() ? v.stringValue() : null;
  }

  public static double number(JsonNode data, String field, double absent) {
    JsonNode v = data.get(field);
    return v != null && v.isNumber() ? v.doubleValue() : absent;
  }
}
