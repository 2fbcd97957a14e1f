package io.agentwatch.core.log;

import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;

class InMemoryIdLedgerTest extends IdLedgerContract {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T16:00:00Z"));

  @Override
  protected IdLedger newLedger(Duration reservationTtl, Duration retention) {
    return new InMemoryIdLedger(clock, reservationTtl, retention);
  }

  @Override
  protected void elapse(Duration d) {
    clock.advance(d);
  }
}
