package io.agentwatch.core.auth;

import java.util.Locale;

/** What a key may do (API.md, "Authentication"). */
public enum Scope {
  /** Send events. */
  INGEST,
  /** Read history and streams. */
  READ,
  /** Manage its own tenant: keys, commands, webhooks. */
  ADMIN,
  /** Manage keys of any tenant. */
  OPERATOR;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The scope called {@code label}.
   *
   * @throws IllegalArgumentException naming the known scopes when there is none of that name
   */
  public static Scope of(String label) {
    for (Scope s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("scope must be one of ingest, read, admin, operator but was '" + label + "'");
  }
}
