package io.agentwatch.core.ingest;

import io.agentwatch.core.Digests;
import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.ingest.IdempotencyStore.Claim;
import io.agentwatch.core.log.UnavailableException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Applies a request carrying an {@code Idempotency-Key} at most once per tenant and key, over any
 * {@link IdempotencyStore}: the first request computes its answer and stores it; a retry with the
 * same body gets the stored answer; a retry that arrives while the first is still being computed
 * (on this node or another) waits for it; a retry with another body is refused. A failed
 * computation is forgotten, so the client may retry with the same key, and a waiting retry then
 * computes the answer itself.
 */
public final class IdempotentRequests {

  private static final System.Logger LOG = System.getLogger(IdempotentRequests.class.getName());
  private static final long FIRST_PAUSE_NANOS = 2_000_000;
  private static final long MAX_PAUSE_NANOS = 100_000_000;

  private final IdempotencyStore store;
  private final Duration maxWait;

  /** @param maxWait how long a retry waits for a concurrent first request before giving up (503) */
  public IdempotentRequests(IdempotencyStore store, Duration maxWait) {
    this.store = store;
    this.maxWait = maxWait;
  }

  /**
   * The answer for {@code key}: the remembered one, or the one {@code compute} gives now.
   *
   * @throws IdempotencyKeyReusedException when the key was used with another body
   * @throws UnavailableException          when a concurrent first request outlasted the wait, or
   *                                       the store cannot answer
   */
  public Answer answer(String tenant, String key, byte[] body, Supplier<Answer> compute) {
    byte[] hash = Digests.sha256(body);
    long deadline = System.nanoTime() + maxWait.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      Claim claim = store.claim(tenant, key, hash);
      switch (claim.outcome()) {
        case ANSWERED -> {
          return claim.answer();
        }
        case CONFLICT -> throw new IdempotencyKeyReusedException(key);
        case CLAIMED -> {
          return computeAndStore(tenant, key, claim.token(), compute);
        }
        case IN_PROGRESS -> {
          if (System.nanoTime() + pause > deadline) {
            throw new UnavailableException("a request with Idempotency-Key '" + key
                + "' is still being processed; retry shortly");
          }
          sleep(pause);
          pause = Math.min(MAX_PAUSE_NANOS, pause * 2);
        }
      }
    }
  }

  private Answer computeAndStore(String tenant, String key, String token, Supplier<Answer> compute) {
    Answer answer;
    try {
      answer = compute.get();
    } catch (RuntimeException e) {
      try {
        store.abandon(tenant, key, token);
      } catch (RuntimeException abandonFailed) {
        // The claim lapses by itself after its time-to-live.
        e.addSuppressed(abandonFailed);
      }
      throw e;
    }
    try {
      store.complete(tenant, key, token, answer);
    } catch (RuntimeException e) {
      // The request was applied: answer it. A retry after the claim lapses is applied again, which
      // the event log's own (tenant, id) idempotency makes harmless.
      LOG.log(System.Logger.Level.WARNING, "could not remember the answer for Idempotency-Key '" + key + "'", e);
    }
    return answer;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnavailableException("interrupted while waiting for a concurrent request", e);
    }
  }
}
