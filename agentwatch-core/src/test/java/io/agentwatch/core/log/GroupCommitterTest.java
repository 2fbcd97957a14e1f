package io.agentwatch.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Commits each group by answering every request with its own size; blocks while asked to. */
  private final List<List<Integer>> groups = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Error dieWith;
  private GroupCommitter<Integer> committer;

  private void start(int maxGroupEvents, int maxPendingEvents) {
    committer = new GroupCommitter<>("test-log", maxGroupEvents, maxPendingEvents, n -> n, group -> {
      groups.add(group.stream().map(GroupCommitter.Pending::request).toList());
      entered.countDown();
      release.await();
      if (dieWith != null) {
        throw dieWith;
      }
      group.forEach(p -> p.complete(List.of(AppendResult.duplicate("size " + p.request()))));
    });
    committer.start();
  }

  @AfterEach
  void close() {
    release.countDown();
    committer.close();
  }

  /** Submits {@code first} and returns once the writer holds it in a commit. */
  private CompletableFuture<List<AppendResult>> busyWith(int first) throws InterruptedException {
    CompletableFuture<List<AppendResult>> future = committer.submit(first);
    assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    return future;
  }

  @Test
  void requestsThatWouldOverfillTheQueueAreRefusedAtOnceButALargeOneIsTakenWhenNothingWaits() throws Exception {
    start(5, 10);
    busyWith(1);
    CompletableFuture<List<AppendResult>> six = committer.submit(6);
    CompletableFuture<List<AppendResult>> five = committer.submit(5);
    CompletableFuture<List<AppendResult>> four = committer.submit(4);

    assertThat(five).isCompletedExceptionally();
    assertThatThrownBy(five::get).hasCauseInstanceOf(UnavailableException.class).hasMessageContaining("saturated");
    release.countDown();
    assertThat(six.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(AppendResult.duplicate("size 6"));
    assertThat(four.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).containsExactly(AppendResult.duplicate("size 4"));
    assertThat(committer.submit(50).get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).hasSize(1);
    // Six is over the cap of five: a group of its own.
    assertThat(groups).containsExactly(List.of(1), List.of(6), List.of(4), List.of(50));
  }

  @Test
  void aRequestWhoseCallerGaveUpBeforeItsGroupWasTakenIsNeverCommitted() throws Exception {
    start(100, 100);
    busyWith(1);
    CompletableFuture<List<AppendResult>> abandoned = committer.submit(2);
    CompletableFuture<List<AppendResult>> kept = committer.submit(3);
    abandoned.completeExceptionally(new UnavailableException("the caller's deadline passed"));
    release.countDown();

    assertThat(kept.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).hasSize(1);
    assertThat(groups).containsExactly(List.of(1), List.of(3));
  }

  @Test
  void anErrorStopsTheWriterFailsWhatItHeldAndRefusesLaterRequests() throws Exception {
    start(100, 100);
    CompletableFuture<List<AppendResult>> held = busyWith(1);
    CompletableFuture<List<AppendResult>> queued = committer.submit(2);
    dieWith = new Error("injected");
    release.countDown();

    for (CompletableFuture<List<AppendResult>> f : List.of(held, queued)) {
      assertThatThrownBy(() -> f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnavailableException.class);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (committer.isRunning() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(committer.isRunning()).isFalse();
    assertThat(committer.submit(3)).isCompletedExceptionally();
  }
}
