package io.agentwatch.analytics.alert;

import java.util.Locale;

/** How urgent an alert is; written in lower case in events and answers. */
public enum Severity {
  INFO, WARNING, CRITICAL;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The severity named {@code label}, or null when there is none. */
  public static Severity of(String label) {
    for (Severity s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    return null;
  }
}
