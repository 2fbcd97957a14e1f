package io.agentwatch.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Seeded ({@code -Dagentwatch.seed=<seed>} replays a run's plan; thread timing still varies): many
 * threads submit requests of random sizes while the commit fails whole groups, fails or puts aside
 * single requests, throws halfway through a group, and the committer is closed while busy. Every
 * future completes, once, off the writer thread, with what the commit answered; every group keeps
 * to the cap and to each submitter's order; nothing is committed after close returns.
 */
class GroupCommitterPropertyTest {

  private static final int ITERATIONS = 100;
  private static final String WRITER = "test-log-writer";

  /** The seq-th request of one submitter. */
  private record Request(int submitter, int seq, int events) {
    String id() {
      return submitter + "-" + seq;
    }
  }

  /** A commit that does something random with each group; touched only by the writer thread. */
  private static final class RandomCommit {
    private final Random random;
    private final int maxGroupEvents;
    private final ScheduledExecutorService later;
    private final List<String> problems;
    final List<List<Request>> groups = new ArrayList<>();
    /** How the commit last answered each request: complete, fail, aside or thrown. */
    final Map<Request, String> answers = new HashMap<>();
    volatile boolean closeReturned;

    RandomCommit(Random random, int maxGroupEvents, ScheduledExecutorService later, List<String> problems) {
      this.random = random;
      this.maxGroupEvents = maxGroupEvents;
      this.later = later;
      this.problems = problems;
    }

    void commit(List<GroupCommitter.Pending<Request>> group) throws InterruptedException {
      if (closeReturned) {
        problems.add("a group was committed after close returned");
      }
      List<Request> requests = group.stream().map(GroupCommitter.Pending::request).toList();
      groups.add(requests);
      int events = requests.stream().mapToInt(Request::events).sum();
      if (requests.size() > 1 && events > maxGroupEvents) {
        problems.add("a group of " + events + " events in " + requests.size() + " requests");
      }
      if (random.nextInt(3) == 0) {
        // Let requests pile up behind this commit.
        Thread.sleep(random.nextInt(3));
      }
      int throwAt = random.nextInt(10) == 0 ? random.nextInt(group.size() + 1) : -1;
      for (int i = 0; i < group.size(); i++) {
        if (i == throwAt) {
          requests.subList(i, requests.size()).forEach(r -> answers.put(r, "thrown"));
          throw new IllegalStateException("injected failure of a commit");
        }
        answer(group.get(i));
      }
    }

    private void answer(GroupCommitter.Pending<Request> pending) {
      Request r = pending.request();
      int choice = random.nextInt(20);
      if (choice == 0 && !"aside".equals(answers.get(r))) {
        answers.put(r, "aside");
        later.schedule(pending.setAside(), random.nextInt(3), TimeUnit.MILLISECONDS);
      } else if (choice < 3) {
        answers.put(r, "fail");
        pending.fail(new UnavailableException("injected failure of " + r.id()));
      } else {
        answers.put(r, "complete");
        pending.complete(List.of(AppendResult.duplicate(r.id())));
      }
    }
  }

  @Test
  void everyRequestIsAnsweredOnceInOrderWithinTheCapAndNothingIsCommittedAfterClose() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    int batched = 0;
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      if (run(new Random(random.nextLong()), "seed=" + seed + " iteration=" + iteration)) {
        batched++;
      }
    }
    assertThat(batched).as("seed=" + seed + ": runs where some group carried several requests").isPositive();
  }

  /** Runs one plan and checks it; true if some group carried several requests. */
  private static boolean run(Random plan, String description) throws Exception {
    int maxGroupEvents = 1 + plan.nextInt(40);
    int maxPendingEvents = maxGroupEvents + plan.nextInt(300);
    int submitters = 2 + plan.nextInt(6);
    int perSubmitter = 20 + plan.nextInt(100);
    int closeAfter = plan.nextInt(submitters * perSubmitter);
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
    RandomCommit commit = new RandomCommit(new Random(plan.nextLong()), maxGroupEvents, later, problems);
    GroupCommitter<Request> committer = new GroupCommitter<>("test-log", maxGroupEvents, maxPendingEvents,
        Request::events, commit::commit);
    committer.start();

    Map<Request, CompletableFuture<List<AppendResult>>> futures = new ConcurrentHashMap<>();
    Set<Request> submittedBeforeClose = ConcurrentHashMap.newKeySet();
    AtomicInteger submitted = new AtomicInteger();
    AtomicBoolean closing = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < submitters; s++) {
      int[] sizes = new int[perSubmitter];
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = 1 + plan.nextInt(maxGroupEvents + maxGroupEvents / 2 + 1);
      }
      int submitter = s;
      threads.add(Thread.ofPlatform().start(() -> {
        for (int seq = 0; seq < sizes.length; seq++) {
          Request r = new Request(submitter, seq, sizes[seq]);
          CompletableFuture<List<AppendResult>> future = committer.submit(r);
          // Not closing yet once submit returned: it must not have been refused as closed.
          if (!closing.get()) {
            submittedBeforeClose.add(r);
          }
          futures.put(r, future);
          future.whenComplete((results, failure) -> {
            if (Thread.currentThread().getName().equals(WRITER)) {
              problems.add(r.id() + " was answered on the writer thread");
            }
          });
          submitted.incrementAndGet();
        }
      }));
    }
    while (submitted.get() < closeAfter) {
      Thread.onSpinWait();
    }
    closing.set(true);
    committer.close();
    commit.closeReturned = true;
    for (Thread t : threads) {
      t.join();
    }
    if (!later.shutdownNow().isEmpty()) {
      problems.add("close returned with requests still put aside");
    }

    Map<Integer, Integer> lastSeq = new HashMap<>();
    Map<Request, Integer> seen = new HashMap<>();
    for (List<Request> group : commit.groups) {
      for (Request r : group) {
        if (seen.merge(r, 1, Integer::sum) == 1 && lastSeq.getOrDefault(r.submitter(), -1) >= r.seq()) {
          problems.add(r.id() + " was committed after a later request of its submitter");
        }
        lastSeq.merge(r.submitter(), r.seq(), Math::max);
      }
    }
    futures.forEach((r, future) -> check(r, future, commit.answers.get(r), submittedBeforeClose.contains(r), problems));
    assertThat(problems).as(description).isEmpty();
    return commit.groups.stream().anyMatch(g -> g.size() > 1);
  }

  private static void check(Request r, CompletableFuture<List<AppendResult>> future, String answer,
      boolean submittedBeforeClose, List<String> problems) {
    if (!future.isDone()) {
      problems.add(r.id() + " is still waiting after close");
      return;
    }
    if (future.state() == Future.State.SUCCESS) {
      if (!"complete".equals(answer) || !future.resultNow().equals(List.of(AppendResult.duplicate(r.id())))) {
        problems.add(r.id() + " succeeded with " + future.resultNow() + " but the commit's answer was " + answer);
      }
      return;
    }
    Throwable failure = future.exceptionNow();
    String message = String.valueOf(failure.getMessage());
    if (!(failure instanceof UnavailableException)) {
      problems.add(r.id() + " failed with " + failure);
    } else if (answer == null) {
      boolean refused = message.contains("saturated") || (message.contains("closed") && !submittedBeforeClose);
      if (!refused) {
        problems.add(r.id() + " was never committed but failed with: " + message);
      }
    } else if (!(answer.equals("fail") && message.equals("injected failure of " + r.id()))
        && !(answer.equals("thrown") && message.equals("could not store the events: injected failure of a commit"))) {
      problems.add(r.id() + " failed with '" + message + "' but the commit's answer was " + answer);
    }
  }
}
