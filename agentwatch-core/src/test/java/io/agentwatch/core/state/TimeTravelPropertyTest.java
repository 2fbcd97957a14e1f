package io.agentwatch.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.StoredEvent;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Property: {@link TimeTravel#stateAt} is exactly the fold, in log order, of the run's events
 * whose producer time is at or before the instant — whether snapshots exist yet or not, when
 * queries repeat, and while the run keeps growing, with producer clocks skewed by seconds.
 * Seeded: a failure prints the seed, and {@code -Dagentwatch.seed=<seed>} replays the same cases.
 */
class TimeTravelPropertyTest {

  private static final int ITERATIONS = 10;
  private static final int QUERIES_PER_PHASE = 8;
  private static final Instant T0 = Instant.parse("2026-11-28T16:00:00Z");

  @Test
  void theStateOfARunAtAnyInstantIsTheFoldOfItsEventsUpToThatInstant() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    long snapshots = 0;
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      AgentRuns runs = new AgentRuns(random, T0, 20, 3000);
      // t0/r0 is traveled through; t0/r1 and t1/r0 (the same run id in another tenant) surround it.
      List<AgentRuns.Planned> plan = runs.plan(
          new int[] {0, 1 + random.nextInt(3), 1 + random.nextInt(6), 300 + random.nextInt(900), 0},
          new int[] {0, 2, 3, random.nextInt(200), 1},
          new int[] {1, 2, 3, random.nextInt(200), 0});
      List<AgentRuns.Batch> batches = runs.batches(plan, 50);
      Instant first = T0.minusSeconds(5);
      Instant last = runs.end(plan.size()).plusSeconds(5);
      ProjectionStore store = new InMemoryProjectionStore();
      try (InMemoryEventLog log = new InMemoryEventLog()) {
        TimeTravel travel = new TimeTravel(log, store, 20);
        int appended = 0;
        Instant previous = null;
        for (int phase = 0; phase < 3; phase++) {
          int until = phase == 2 ? batches.size() : appended + random.nextInt(batches.size() - appended + 1);
          for (; appended < until; appended++) {
            AgentRuns.Batch b = batches.get(appended);
            log.append(b.tenant(), b.events()).orTimeout(30, TimeUnit.SECONDS).join();
          }
          List<StoredEvent> all = Folds.readAll(log);
          for (int q = 0; q < QUERIES_PER_PHASE; q++) {
            Instant at = switch (random.nextInt(6)) {
              case 0 -> previous != null ? previous : first;
              case 1 -> all.isEmpty() ? first : all.get(random.nextInt(all.size())).event().ts();
              case 2 -> random.nextBoolean() ? first : last;
              default -> first.plusNanos((long) (random.nextDouble() * (last.toEpochMilli() - first.toEpochMilli()))
                  * 1_000_000L);
            };
            previous = at;
            String tenant = random.nextInt(6) == 0 ? "t1" : "t0";
            String runId = tenant.equals("t0") && random.nextInt(6) == 0 ? "r1" : "r0";
            String description = "seed=" + seed + " iteration=" + iteration + " phase=" + phase + " query=" + q
                + " " + tenant + "/" + runId + " at=" + at + " snapshots=" + store.snapshots(tenant, runId).size();
            assertThat(travel.stateAt(tenant, runId, at).toJson()).as(description)
                .isEqualTo(Folds.runAt(all, tenant, runId, at).toJson());
          }
        }
      }
      snapshots += store.snapshots("t0", "r0").size();
    }
    assertThat(snapshots).as("seed=%d: snapshots were made and used", seed).isPositive();
    System.out.println("TimeTravelPropertyTest seed=" + seed + " snapshots of t0/r0=" + snapshots);
  }
}
