package io.agentwatch.model;

/** A cursor string that no store could have made (answered with 400). */
public final class MalformedCursorException extends IllegalArgumentException {

  public MalformedCursorException(String text) {
    super("cursor is malformed: " + abbreviate(text));
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    return text.length() <= 80 ? "'" + text + "'" : "'" + text.substring(0, 80) + "…'";
  }
}
