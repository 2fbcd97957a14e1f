package io.agentwatch.analytics.alert;

import java.time.Instant;
import java.util.List;

/**
 * Where detectors report: raise an alert, resolve the open one of a key, or ask whether one is
 * open. Raising a key that is already open, or resolving one that is not, does nothing, so
 * detectors may report at every natural point without keeping their own alert bookkeeping.
 */
public interface Signals {

  void raise(AlertDraft draft);

  /**
   * Resolves the open alert of (detector, key), if any.
   *
   * @param reason   why it is over, as a sentence
   * @param evidence ids of the events that ended it (may be empty, e.g. for a quiet period)
   * @param ts       event time of the resolution
   */
  void resolve(String detector, String key, String reason, List<String> evidence, Instant ts);

  boolean isOpen(String detector, String key);
}
