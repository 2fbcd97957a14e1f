package io.agentwatch.server.ingest;

import io.agentwatch.core.ingest.IdempotencyKeyReusedException;
import io.agentwatch.core.ingest.IdempotencyStore;
import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.ingest.IdempotentRequests;
import io.agentwatch.server.web.ApiException;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/**
 * Remembers the answer to each {@code Idempotency-Key} (per tenant) for {@link #REMEMBER_FOR}, so a
 * retried request gets the first answer instead of being applied again. A concurrent retry waits
 * for the first to finish. Reusing a key with a different body is a client error (422), as in
 * Stripe's and the IETF draft's semantics. The answers live in an {@link IdempotencyStore}: this
 * process's memory in the embedded deployment, Redis when several nodes must share them.
 */
public final class IdempotencyKeys {

  /** How long an answer is remembered. */
  public static final Duration REMEMBER_FOR = Duration.ofHours(24);
  /** How long a request may hold its key unanswered before the key is free again (its node died). */
  public static final Duration CLAIM_FOR = Duration.ofMinutes(1);
  /** How long a retry waits for a first request still in progress before answering 503. */
  private static final Duration WAIT_FOR_FIRST = Duration.ofSeconds(30);
  private static final int MAX_KEY_LENGTH = 255;

  private final IdempotentRequests requests;

  public IdempotencyKeys(IdempotencyStore store) {
    this.requests = new IdempotentRequests(store, WAIT_FOR_FIRST);
  }

  /**
   * The answer for {@code key}: the remembered one, or the one {@code compute} gives now. A failed
   * computation is forgotten so the client may retry with the same key.
   *
   * @throws ApiException 400 for a malformed key, 422 for a key used with another body
   */
  public Answer answer(String tenant, String key, byte[] body, Supplier<Answer> compute) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ApiException.badRequest("Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " characters");
    }
    try {
      return requests.answer(tenant, key, body, compute);
    } catch (IdempotencyKeyReusedException e) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
          "Idempotency-Key '" + key + "' was already used with a different body");
    }
  }
}
