package io.agentwatch.core.ingest;

import static io.agentwatch.core.ingest.IdempotencyStore.Outcome.ANSWERED;
import static io.agentwatch.core.ingest.IdempotencyStore.Outcome.CLAIMED;
import static io.agentwatch.core.ingest.IdempotencyStore.Outcome.CONFLICT;
import static io.agentwatch.core.ingest.IdempotencyStore.Outcome.IN_PROGRESS;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.Digests;
import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.ingest.IdempotencyStore.Claim;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link IdempotencyStore} contract. Each adapter binds it with a fresh, empty store per test
 * whose answers live {@link #TTL} and claims {@link #CLAIM_TTL}, and says how time passes for it.
 */
public abstract class IdempotencyStoreContract {

  protected static final Duration TTL = Duration.ofSeconds(2);
  protected static final Duration CLAIM_TTL = Duration.ofSeconds(1);
  private static final byte[] BODY = hash("[{\"id\":\"a\"}]");
  private static final byte[] OTHER_BODY = hash("[{\"id\":\"b\"}]");
  private static final Answer ACCEPTED = new Answer(200, "{\"accepted\":[\"a\"]}");

  protected IdempotencyStore store;

  protected abstract IdempotencyStore newStore(Duration ttl, Duration claimTtl) throws Exception;

  protected abstract void elapse(Duration d) throws InterruptedException;

  @BeforeEach
  void open() throws Exception {
    store = newStore(TTL, CLAIM_TTL);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static byte[] hash(String body) {
    return Digests.sha256(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFirstClaimWinsAndLaterOnesSeeItInProgress() {
    Claim first = store.claim("t1", "k1", BODY);

    assertThat(first.outcome()).isEqualTo(CLAIMED);
    assertThat(first.token()).isNotBlank();
    assertThat(store.claim("t1", "k1", BODY).outcome()).isEqualTo(IN_PROGRESS);
  }

  @Test
  void aCompletedKeyAnswersEveryRetryWithTheSameBody() {
    Claim first = store.claim("t1", "k1", BODY);
    store.complete("t1", "k1", first.token(), ACCEPTED);

    Claim retry = store.claim("t1", "k1", BODY);
    assertThat(retry.outcome()).isEqualTo(ANSWERED);
    assertThat(retry.answer()).isEqualTo(ACCEPTED);
  }

  @Test
  void answersKeepStatusAndBodyExactly() {
    Answer odd = new Answer(422, "{\"detail\":\"caf\u00e9 \\\"quoted\\\" | pipe\",\"n\":[1,2]}\n");
    Claim first = store.claim("t1", "k1", BODY);
    store.complete("t1", "k1", first.token(), odd);

    assertThat(store.claim("t1", "k1", BODY).answer()).isEqualTo(odd);
  }

  @Test
  void anotherBodyIsAConflictWhetherInProgressOrAnswered() {
    Claim first = store.claim("t1", "k1", BODY);
    assertThat(store.claim("t1", "k1", OTHER_BODY).outcome()).isEqualTo(CONFLICT);

    store.complete("t1", "k1", first.token(), ACCEPTED);
    assertThat(store.claim("t1", "k1", OTHER_BODY).outcome()).isEqualTo(CONFLICT);
  }

  @Test
  void anAbandonedClaimFreesTheKey() {
    Claim first = store.claim("t1", "k1", BODY);
    store.abandon("t1", "k1", first.token());

    assertThat(store.claim("t1", "k1", OTHER_BODY).outcome()).isEqualTo(CLAIMED);
  }

  @Test
  void aLapsedClaimFreesTheKeyAndItsHolderCanNoLongerAnswer() throws InterruptedException {
    Claim dead = store.claim("t1", "k1", BODY);
    elapse(CLAIM_TTL.plusMillis(300));

    Claim second = store.claim("t1", "k1", BODY);
    assertThat(second.outcome()).isEqualTo(CLAIMED);
    store.complete("t1", "k1", dead.token(), new Answer(500, "late"));
    store.abandon("t1", "k1", dead.token());
    assertThat(store.claim("t1", "k1", BODY).outcome()).isEqualTo(IN_PROGRESS);

    store.complete("t1", "k1", second.token(), ACCEPTED);
    assertThat(store.claim("t1", "k1", BODY).answer()).isEqualTo(ACCEPTED);
  }

  @Test
  void anAnsweredKeyCannotBeAbandonedOrAnsweredAgain() {
    Claim first = store.claim("t1", "k1", BODY);
    store.complete("t1", "k1", first.token(), ACCEPTED);

    store.abandon("t1", "k1", first.token());
    store.complete("t1", "k1", first.token(), new Answer(500, "again"));

    assertThat(store.claim("t1", "k1", BODY).answer()).isEqualTo(ACCEPTED);
  }

  @Test
  void answersAreForgottenAfterTheirTimeToLive() throws InterruptedException {
    Claim first = store.claim("t1", "k1", BODY);
    store.complete("t1", "k1", first.token(), ACCEPTED);
    elapse(TTL.plusMillis(300));

    assertThat(store.claim("t1", "k1", OTHER_BODY).outcome()).isEqualTo(CLAIMED);
  }

  @Test
  void tenantsAreWalls() {
    Claim first = store.claim("t1", "k1", BODY);
    store.complete("t1", "k1", first.token(), ACCEPTED);

    assertThat(store.claim("t2", "k1", OTHER_BODY).outcome()).isEqualTo(CLAIMED);
  }

  @Test
  void concurrentClaimsGrantTheKeyOnce() throws Exception {
    List<Claim> claims = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          claims.add(store.claim("t1", "race", BODY));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30));
    }

    assertThat(claims).hasSize(8);
    assertThat(claims).filteredOn(c -> c.outcome() == CLAIMED).hasSize(1);
    assertThat(claims).filteredOn(c -> c.outcome() == IN_PROGRESS).hasSize(7);
  }
}
