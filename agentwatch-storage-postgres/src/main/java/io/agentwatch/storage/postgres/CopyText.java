package io.agentwatch.storage.postgres;

/** Values in the text format of PostgreSQL's {@code COPY … FROM STDIN}. */
public final class CopyText {

  private CopyText() {}

  /** Appends {@code value} with backslash, tab, newline and carriage return escaped; null as {@code \N}. */
  public static void escape(StringBuilder sb, String value) {
    if (value == null) {
      sb.append("\\N");
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      switch (ch) {
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        default -> sb.append(ch);
      }
    }
  }
}
