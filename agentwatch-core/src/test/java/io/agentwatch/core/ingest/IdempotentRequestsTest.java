package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.Digests;
import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.log.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdempotentRequestsTest {

  private static final byte[] BODY = "[{\"id\":\"a\"}]".getBytes(StandardCharsets.UTF_8);
  private static final Answer OK = new Answer(200, "{\"accepted\":[\"a\"]}");

  private final IdempotencyStore store =
      new InMemoryIdempotencyStore(Clock.systemUTC(), Duration.ofHours(24), Duration.ofMinutes(1), 1 << 20);
  private final IdempotentRequests requests = new IdempotentRequests(store, Duration.ofSeconds(5));

  @Test
  void aRetryGetsTheFirstAnswerWithoutApplyingTheRequestAgain() {
    AtomicInteger applied = new AtomicInteger();

    Answer first = requests.answer("t1", "k1", BODY, () -> { applied.incrementAndGet(); return OK; });
    Answer retry = requests.answer("t1", "k1", BODY, () -> { applied.incrementAndGet(); return new Answer(500, "no"); });

    assertThat(retry).isEqualTo(first);
    assertThat(applied).hasValue(1);
  }

  @Test
  void aConcurrentRetryWaitsForTheFirstAnswer() throws Exception {
    CountDownLatch computing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> requests.answer("t1", "k1", BODY, () -> {
      computing.countDown();
      await(release);
      return OK;
    }));
    computing.await();
    CompletableFuture<Answer> retry = CompletableFuture.supplyAsync(
        () -> requests.answer("t1", "k1", BODY, () -> new Answer(500, "applied twice")));
    Thread.sleep(50);
    assertThat(retry).isNotDone();

    release.countDown();
    assertThat(retry.get(5, TimeUnit.SECONDS)).isEqualTo(OK);
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(OK);
  }

  @Test
  void aFailedRequestIsForgottenSoTheRetryIsApplied() {
    assertThatThrownBy(() -> requests.answer("t1", "k1", BODY, () -> { throw new UnavailableException("log down"); }))
        .isInstanceOf(UnavailableException.class);

    assertThat(requests.answer("t1", "k1", BODY, () -> OK)).isEqualTo(OK);
  }

  @Test
  void theSameKeyWithAnotherBodyIsRefused() {
    requests.answer("t1", "k1", BODY, () -> OK);

    assertThatThrownBy(() -> requests.answer("t1", "k1", "[]".getBytes(StandardCharsets.UTF_8), () -> OK))
        .isInstanceOf(IdempotencyKeyReusedException.class)
        .hasMessage("Idempotency-Key 'k1' was already used with a different body");
  }

  @Test
  void aRetryGivesUpWhenTheFirstRequestOutlastsTheWait() {
    IdempotentRequests impatient = new IdempotentRequests(store, Duration.ofMillis(100));
    String token = store.claim("t1", "stuck", Digests.sha256(BODY)).token();

    assertThat(token).isNotNull();
    assertThatThrownBy(() -> impatient.answer("t1", "stuck", BODY, () -> OK))
        .isInstanceOf(UnavailableException.class)
        .hasMessageContaining("still being processed");
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
