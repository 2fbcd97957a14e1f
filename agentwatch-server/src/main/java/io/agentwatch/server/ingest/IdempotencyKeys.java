package io.agentwatch.server.ingest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.agentwatch.core.Digests;
import io.agentwatch.server.web.ApiException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;

/**
 * Remembers the answer to each {@code Idempotency-Key} (per tenant) for 24 hours, so a retried
 * request gets the first answer instead of being applied again. A concurrent retry waits for the
 * first to finish. Reusing a key with a different body is a client error (422), as in Stripe's
 * and the IETF draft's semantics. In process: the distributed deployment keeps them in Redis.
 */
public final class IdempotencyKeys {

  /** A remembered answer: HTTP status and the JSON body. */
  public record Answer(int status, String body) {}

  private record Entry(byte[] bodyHash, CompletableFuture<Answer> answer) {
    /** Roughly the bytes held: a big batch's 422 lists every rejection. */
    int weight() {
      Answer done = answer.getNow(null);
      return 256 + (done == null ? 0 : done.body().length() * 2);
    }
  }

  private static final int MAX_KEY_LENGTH = 255;
  private static final long MAX_BYTES = 64L * 1024 * 1024;

  private final Cache<String, Entry> entries = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofHours(24))
      .maximumWeight(MAX_BYTES)
      .<String, Entry>weigher((key, entry) -> entry.weight())
      .build();

  /**
   * The answer for {@code key}: the remembered one, or the one {@code compute} gives now. A failed
   * computation is forgotten so the client may retry with the same key.
   */
  public Answer answer(String tenant, String key, byte[] body, Supplier<Answer> compute) {
    if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
      throw ApiException.badRequest("Idempotency-Key must be 1-" + MAX_KEY_LENGTH + " characters");
    }
    String id = tenant + '\u0000' + key;
    byte[] hash = Digests.sha256(body);
    Entry mine = new Entry(hash, new CompletableFuture<>());
    Entry existing = entries.asMap().putIfAbsent(id, mine);
    if (existing != null) {
      if (!Arrays.equals(existing.bodyHash(), hash)) {
        throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
            "Idempotency-Key '" + key + "' was already used with a different body");
      }
      try {
        return existing.answer().join();
      } catch (CompletionException e) {
        // The first attempt failed and was forgotten; this retry answers as that one did.
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      Answer answer = compute.get();
      mine.answer().complete(answer);
      // Weighed again now that the answer is known.
      entries.asMap().replace(id, mine, mine);
      return answer;
    } catch (RuntimeException e) {
      entries.asMap().remove(id, mine);
      mine.answer().completeExceptionally(e);
      throw e;
    }
  }
}
