package io.agentwatch.core.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Property: however appends of several producers interleave, and however often they resend ids
 * (their own retries, or ids another producer also uses), each (tenant, id) is stored once and the
 * events of each agent keep the order the agent sent them in. Seeded: a failure prints the seed,
 * and {@code -Dagentwatch.seed=<seed>} replays the same plans.
 */
class ConcurrentIngestPropertyTest {

  private static final int ITERATIONS = 60;
  private static final List<String> TENANTS = List.of("t1", "t2");

  /** One event a producer sends: {@code seq} is its place in the producer's own order. */
  private record Sent(String tenant, String id, String agent, String run, int seq) {
    String json() {
      return "{\"id\":\"" + id + "\",\"type\":\"custom.step\",\"agentId\":\"" + agent + "\",\"runId\":\"" + run
          + "\",\"ts\":\"2026-11-28T16:00:00Z\",\"data\":{\"seq\":" + seq + "}}";
    }
  }

  private record Request(String tenant, List<Sent> events) {
    byte[] body() {
      return ("[" + String.join(",", events.stream().map(Sent::json).toList()) + "]")
          .getBytes(StandardCharsets.UTF_8);
    }
  }

  private record Answer(Request request, IngestResult result) {}

  /** A producer's requests, retries of earlier requests included. */
  private static List<Request> plan(Random random, int producer) {
    String agent = "a" + producer;
    List<Request> requests = new ArrayList<>();
    int seq = 0;
    int events = 20 + random.nextInt(60);
    while (seq < events) {
      String tenant = TENANTS.get(random.nextInt(TENANTS.size()));
      List<Sent> batch = new ArrayList<>();
      for (int n = 1 + random.nextInt(10); n > 0; n--) {
        String id = random.nextInt(7) == 0 ? "shared-" + random.nextInt(10) : agent + "-" + seq;
        batch.add(new Sent(tenant, id, agent, "run-" + random.nextInt(2), seq++));
      }
      requests.add(new Request(tenant, batch));
      if (random.nextInt(5) == 0) {
        requests.add(requests.get(random.nextInt(requests.size())));
      }
    }
    return requests;
  }

  @Test
  void interleavedProducersWithRepeatedIdsStoreEachIdOnceAndKeepEachAgentsOrder() throws Exception {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int iteration = 0; iteration < ITERATIONS; iteration++) {
      String description = "seed=" + seed + " iteration=" + iteration;
      int producers = 2 + random.nextInt(4);
      List<List<Request>> plans = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        plans.add(plan(random, p));
      }
      try (InMemoryEventLog log = new InMemoryEventLog()) {
        check(description, log, run(description, log, plans));
      }
    }
  }

  private static List<Answer> run(String description, InMemoryEventLog log, List<List<Request>> plans)
      throws InterruptedException {
    Ingestor ingestor = new Ingestor(log, PipelineMetrics.NONE);
    List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (List<Request> plan : plans) {
      threads.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
          for (Request r : plan) {
            IngestResult result = ingestor.ingest(r.tenant(), Batch.ofJson(r.body())).get(10, TimeUnit.SECONDS);
            answers.add(new Answer(r, result));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(failures).as(description).isEmpty();
    return answers;
  }

  private static void check(String description, InMemoryEventLog log, List<Answer> answers) {
    for (String tenant : TENANTS) {
      List<StoredEvent> stored = log.read(tenant, log.beginning(), EventFilter.ALL, Integer.MAX_VALUE);
      List<String> storedIds = stored.stream().map(s -> s.event().id()).toList();
      Set<String> sentIds = new HashSet<>();
      Map<String, Integer> acceptances = new HashMap<>();
      Map<String, String> acceptedAgent = new HashMap<>();
      int sent = 0;
      int answered = 0;
      for (Answer a : answers) {
        if (!a.request().tenant().equals(tenant)) {
          continue;
        }
        sent += a.request().events().size();
        a.request().events().forEach(e -> sentIds.add(e.id()));
        answered += a.result().accepted() + a.result().duplicates();
        assertThat(a.result().rejected()).as(description).isEmpty();
        for (String id : a.result().acceptedIds()) {
          acceptances.merge(id, 1, Integer::sum);
          // Within one request an id appears once as accepted; the first Sent with it is the stored one.
          a.request().events().stream().filter(e -> e.id().equals(id)).findFirst()
              .ifPresent(e -> acceptedAgent.put(id, e.agent()));
        }
      }

      assertThat(answered).as("%s %s: every event got an answer", description, tenant).isEqualTo(sent);
      assertThat(storedIds).as("%s %s: stored once each", description, tenant).doesNotHaveDuplicates();
      assertThat(new HashSet<>(storedIds)).as("%s %s: every sent id stored", description, tenant)
          .isEqualTo(sentIds);
      assertThat(acceptances.keySet()).as("%s %s", description, tenant).isEqualTo(sentIds);
      // Not containsOnly(1): that fails on an empty list, and a plan may send nothing for a tenant.
      assertThat(acceptances.values()).as("%s %s: accepted once each", description, tenant).allMatch(n -> n == 1);
      for (StoredEvent s : stored) {
        assertThat(s.event().agentId()).as("%s %s %s: the accepted version is stored", description, tenant,
            s.event().id()).isEqualTo(acceptedAgent.get(s.event().id()));
      }

      Map<String, List<Integer>> seqByAgentAndRun = new LinkedHashMap<>();
      for (StoredEvent s : stored) {
        Event e = s.event();
        seqByAgentAndRun.computeIfAbsent(e.agentId() + "/" + e.runId(), k -> new ArrayList<>())
            .add(e.data().get("seq").intValue());
      }
      seqByAgentAndRun.forEach((agent, seqs) -> assertThat(seqs)
          .as("%s %s %s: stored in the order sent", description, tenant, agent).isSorted().doesNotHaveDuplicates());
    }
  }
}
