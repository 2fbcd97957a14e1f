package io.agentwatch.server.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentwatch.server.web.ApiException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/**
 * Remembers the answer to each {@code Idempotency-Key} (per tenant) for 24 hours, so a retried
 * request gets the first answer instead of being applied again. A concurrent retry waits for the
 * first to finish. Reusing a key with a different body is a client error (422), as in Stripe's
 * and the IETF draft's semantics. In process: the distributed deployment keeps them in Redis.
 */
public final class IdempotencyKeys {

  /** A remembered answer: HTTP status and body. */
  public record Answer(int status, Object body) {}

  private record Entry(byte[] bodyHash, CompletableFuture<Answer> answer) {}

  private static final int MAX_KEY_LENGTH = 255;

  private final Cache<String, Entry> entries =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(24)).maximumSize(100_000).build();

  /**
   * The answer for {@code key}: the remembered one, or the one {@code compute} gives now. A failed
   * computation is forgotten so the client may retry with the same key.
   */
  public Answer answer(String tenant, String key, byte[] body, Supplier<Answer> compute) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ApiException.badRequest("Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " characters");
    }
    String id = tenant + '\u0000' + key;
    byte[] hash = sha256(body);
    Entry mine = new Entry(hash, new CompletableFuture<>());
    Entry existing = entries.asMap().putIfAbsent(id, mine);
    if (existing != null) {
      if (!Arrays.equals(existing.bodyHash(), hash)) {
        throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
            "Idempotency-Key '" + key + "' was already used with a different body");
      }
      return existing.answer().join();
    }
    try {
      Answer answer = compute.get();
      mine.answer().complete(answer);
      return answer;
    } catch (RuntimeException e) {
      entries.asMap().remove(id, mine);
      mine.answer().completeExceptionally(e);
      throw e;
    }
  }

  private static byte[] sha256(byte[] body) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(body);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
