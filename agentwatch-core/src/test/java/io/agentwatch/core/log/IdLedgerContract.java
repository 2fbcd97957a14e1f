package io.agentwatch.core.log;

import static io.agentwatch.core.log.IdLedger.Claim.CONFIRMED;
import static io.agentwatch.core.log.IdLedger.Claim.PENDING;
import static io.agentwatch.core.log.IdLedger.Claim.RESERVED;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.IdLedger.Claim;
import io.agentwatch.core.log.IdLedger.Key;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link IdLedger} contract. Each adapter binds it with a fresh, empty ledger per test whose
 * reservations live {@link #RESERVATION_TTL} and confirmations {@link #RETENTION}, and says how
 * time passes for it.
 */
public abstract class IdLedgerContract {

  protected static final Duration RESERVATION_TTL = Duration.ofSeconds(1);
  protected static final Duration RETENTION = Duration.ofSeconds(2);

  protected IdLedger ledger;

  /** A new ledger that knows no key, with the given times. */
  protected abstract IdLedger newLedger(Duration reservationTtl, Duration retention) throws Exception;

  /** Lets {@code d} pass for the ledger (a clock moved by hand, or a real wait). */
  protected abstract void elapse(Duration d) throws InterruptedException;

  @BeforeEach
  void open() throws Exception {
    ledger = newLedger(RESERVATION_TTL, RETENTION);
  }

  @AfterEach
  void closeLedger() {
    ledger.close();
  }

  private static List<Key> keys(String tenant, String... ids) {
    return java.util.Arrays.stream(ids).map(id -> new Key(tenant, id)).toList();
  }

  @Test
  void aFreshKeyIsReservedOnceAndPendingForEveryoneElse() {
    assertThat(ledger.reserve("node-a", keys("t1", "e1", "e2"))).containsExactly(RESERVED, RESERVED);
    assertThat(ledger.reserve("node-b", keys("t1", "e2", "e3", "e1"))).containsExactly(PENDING, RESERVED, PENDING);
  }

  @Test
  void aConfirmedKeyIsADuplicateForEveryone() {
    ledger.reserve("node-a", keys("t1", "e1"));
    ledger.confirm(keys("t1", "e1"));

    assertThat(ledger.reserve("node-a", keys("t1", "e1"))).containsExactly(CONFIRMED);
    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(CONFIRMED);
  }

  @Test
  void aKeyConfirmedWithoutAReservationIsADuplicate() {
    ledger.confirm(keys("t1", "e1"));

    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(CONFIRMED);
  }

  @Test
  void aReleasedKeyIsFreeAgain() {
    ledger.reserve("node-a", keys("t1", "e1"));
    ledger.release("node-a", keys("t1", "e1"));

    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(RESERVED);
  }

  @Test
  void releasingTouchesOnlyTheCallersOwnReservations() {
    ledger.reserve("node-a", keys("t1", "mine"));
    ledger.reserve("node-b", keys("t1", "theirs"));
    ledger.confirm(keys("t1", "done"));

    ledger.release("node-b", keys("t1", "mine", "done"));
    ledger.release("node-a", keys("t1", "theirs", "done"));

    assertThat(ledger.reserve("node-c", keys("t1", "mine", "theirs", "done")))
        .containsExactly(PENDING, PENDING, CONFIRMED);
  }

  @Test
  void theSameOwnerRenewsItsOwnReservation() {
    ledger.reserve("node-a", keys("t1", "e1"));

    assertThat(ledger.reserve("node-a", keys("t1", "e1"))).containsExactly(RESERVED);
    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(PENDING);
  }

  @Test
  void aStaleReservationIsTakenOverAndNeverReportedAsConfirmed() throws InterruptedException {
    // The owner reserved and died before confirming: whether it wrote the event is unknown.
    ledger.reserve("dead-node", keys("t1", "e1"));
    elapse(RESERVATION_TTL.plusMillis(300));

    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(RESERVED);
    assertThat(ledger.reserve("node-c", keys("t1", "e1"))).containsExactly(PENDING);
  }

  @Test
  void aLateReleaseByTheFormerOwnerDoesNotFreeATakenOverKey() throws InterruptedException {
    ledger.reserve("slow-node", keys("t1", "e1"));
    elapse(RESERVATION_TTL.plusMillis(300));
    ledger.reserve("node-b", keys("t1", "e1"));

    ledger.release("slow-node", keys("t1", "e1"));

    assertThat(ledger.reserve("node-c", keys("t1", "e1"))).containsExactly(PENDING);
  }

  @Test
  void confirmedKeysAreForgottenAfterTheRetentionWindow() throws InterruptedException {
    ledger.confirm(keys("t1", "old"));
    elapse(RETENTION.plusMillis(300));

    assertThat(ledger.reserve("node-a", keys("t1", "old"))).containsExactly(RESERVED);
  }

  @Test
  void tenantsAreWalls() {
    ledger.reserve("node-a", keys("t1", "e1"));
    ledger.confirm(keys("t1", "e1"));

    assertThat(ledger.reserve("node-a", keys("t2", "e1"))).containsExactly(RESERVED);
    ledger.release("node-a", keys("t2", "e1"));
    assertThat(ledger.reserve("node-b", keys("t1", "e1"))).containsExactly(CONFIRMED);
  }

  @Test
  void concurrentWritersGetEachKeyExactlyOnce() throws Exception {
    int writers = 4;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      ids.add("e" + i);
    }
    List<Key> all = keys("t1", ids.toArray(String[]::new));
    List<List<Claim>> answers = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      String owner = "node-" + w;
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
          List<Claim> mine = new ArrayList<>();
          for (int i = 0; i < all.size(); i += 20) {
            mine.addAll(ledger.reserve(owner, all.subList(i, i + 20)));
          }
          answers.add(mine);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    start.countDown();
    for (Thread t : threads) {
      t.join(Duration.ofSeconds(30));
    }

    assertThat(answers).hasSize(writers);
    for (int k = 0; k < all.size(); k++) {
      int index = k;
      long reserved = answers.stream().filter(a -> a.get(index) == RESERVED).count();
      assertThat(reserved).as("writers that got %s", all.get(k)).isEqualTo(1);
    }
  }

  @Test
  void checkPassesWhileOpen() {
    ledger.check();
  }
}
