package io.agentwatch.core.webhook;

import java.util.Locale;

/** Where a delivery stands: waiting for its (next) attempt, done, or given up (the dead-letter list). */
public enum DeliveryState {
  PENDING, DELIVERED, DEAD;

  /** The lower-case name used in the API and the store. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for anything but pending, delivered or dead */
  public static DeliveryState of(String label) {
    for (DeliveryState s : values()) {
      if (s.label().equals(label)) {
        return s;
      }
    }
    throw new IllegalArgumentException("state must be one of pending, delivered, dead but was '" + label + "'");
  }
}
