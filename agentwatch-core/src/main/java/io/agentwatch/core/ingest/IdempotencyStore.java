package io.agentwatch.core.ingest;

import java.util.Objects;

/**
 * Remembered answers to requests that carried an {@code Idempotency-Key}, per tenant, so a retried
 * request gets the first answer instead of being applied again ({@link IdempotentRequests} runs
 * the protocol on top of it).
 *
 * <p>Contract (checked by {@code IdempotencyStoreContract}):
 * <ul>
 *   <li>{@link #claim} is atomic per (tenant, key): the first caller gets {@link Outcome#CLAIMED}
 *       and a token; while that claim is open, callers with the same body hash get
 *       {@link Outcome#IN_PROGRESS}; once it is completed they get {@link Outcome#ANSWERED} with
 *       the answer; a caller with another body hash gets {@link Outcome#CONFLICT}, whatever the
 *       state.</li>
 *   <li>{@link #complete} stores the answer for the answer time-to-live; {@link #abandon} forgets
 *       the claim so the key may be used again. Both act only while the token's claim is the
 *       current one: a claim not completed within the claim time-to-live (its holder died) lapses
 *       and the key is free again.</li>
 * </ul>
 * Keys of different tenants never meet. Thread-safe; may block on I/O; throws
 * {@link io.agentwatch.core.log.UnavailableException} when it cannot answer.
 */
public interface IdempotencyStore extends AutoCloseable {

  /** A remembered answer: HTTP status and body. */
  record Answer(int status, String body) {
    public Answer {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status must be 100..599 but was " + status);
      }
      Objects.requireNonNull(body, "body");
    }
  }

  enum Outcome { CLAIMED, IN_PROGRESS, ANSWERED, CONFLICT }

  /**
   * What {@link #claim} found.
   *
   * @param token  set when {@link Outcome#CLAIMED}: pass it to {@link #complete} or {@link #abandon}
   * @param answer set when {@link Outcome#ANSWERED}
   */
  record Claim(Outcome outcome, String token, Answer answer) {

    public static Claim claimed(String token) {
      return new Claim(Outcome.CLAIMED, Objects.requireNonNull(token, "token"), null);
    }

    public static Claim answered(Answer answer) {
      return new Claim(Outcome.ANSWERED, null, Objects.requireNonNull(answer, "answer"));
    }

    public static final Claim IN_PROGRESS = new Claim(Outcome.IN_PROGRESS, null, null);
    public static final Claim CONFLICT = new Claim(Outcome.CONFLICT, null, null);
  }

  /** Claims {@code key} of {@code tenant} for a request whose body has the SHA-256 {@code bodyHash}. */
  Claim claim(String tenant, String key, byte[] bodyHash);

  /** Stores the answer of the request that holds the claim {@code token}. */
  void complete(String tenant, String key, String token, Answer answer);

  /** Forgets the claim {@code token}: its request failed and may be retried with the same key. */
  void abandon(String tenant, String key, String token);

  /** Throws when the store cannot answer (used by health checks); does nothing when it can. */
  default void check() {}

  @Override
  default void close() {}
}
