package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.ingest.IdempotencyStore.Outcome;
import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryIdempotencyStoreTest extends IdempotencyStoreContract {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T16:00:00Z"));

  @Override
  protected IdempotencyStore newStore(Duration ttl, Duration claimTtl) {
    return new InMemoryIdempotencyStore(clock, ttl, claimTtl, 1 << 20);
  }

  @Override
  protected void elapse(Duration d) {
    clock.advance(d);
  }

  @Test
  void theOldestAnswersGoFirstWhenMemoryRunsOut() {
    IdempotencyStore small = new InMemoryIdempotencyStore(clock, Duration.ofHours(24), Duration.ofMinutes(1), 64 * 1024);
    String big = "x".repeat(10_000);
    for (int i = 0; i < 10; i++) {
      String token = small.claim("t1", "k" + i, new byte[] {1}).token();
      small.complete("t1", "k" + i, token, new Answer(200, big));
    }

    assertThat(small.claim("t1", "k0", new byte[] {1}).outcome()).isEqualTo(Outcome.CLAIMED);
    assertThat(small.claim("t1", "k9", new byte[] {1}).outcome()).isEqualTo(Outcome.ANSWERED);
  }
}
