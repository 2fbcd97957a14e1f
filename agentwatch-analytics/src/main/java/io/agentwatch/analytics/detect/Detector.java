package io.agentwatch.analytics.detect;

import io.agentwatch.analytics.alert.Signals;
import java.time.Instant;

/**
 * A small state machine over one tenant's events that raises and resolves alerts.
 *
 * <p>Contract: driven only by its inputs, never by the wall clock or randomness, and iterating
 * only in deterministic orders, so the same sequence of {@link #observe} and {@link #advance}
 * calls always reports the same signals in the same order. Not thread-safe.
 */
public interface Detector {

  /** The detector's name as alerts carry it (API.md), e.g. {@code stuck_task}. */
  String name();

  /** One event of the tenant, in log order; the tenant's clock has already been advanced to it. */
  void observe(Observation o, Signals signals);

  /**
   * Event time moved forward to {@code now}: whatever was due strictly before it fires now. The
   * default does nothing (detectors without deadlines).
   */
  default void advance(Instant now, Signals signals) {}

  /**
   * A run ended (after its ending event was observed by every detector): what the detector
   * watched about the run's open tasks is over. The default does nothing.
   */
  default void runEnded(RunEnd end, Signals signals) {}
}
