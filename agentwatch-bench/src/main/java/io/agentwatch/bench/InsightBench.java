package io.agentwatch.bench;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.sim.Simulation;
import io.agentwatch.client.sim.Team;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The insight benchmark: how well the alerts tell what happened, against a live server.
 *
 * <p>Each round runs, at the same time and each in a tenant of its own, one clean workload and one
 * workload per detector type with one injected fault. A workload is the simulator's
 * ({@code agentwatch simulate}: teams of a manager and workers, six tasks a run, tool and model
 * calls, run after run with the same agent ids), with agents signing off at each run end. Faults go
 * into a run of their own, among the team's traffic, with the team's agent ids (see
 * {@link InsightFault}). At the end the harness ends the runs still running and signs every agent
 * off, waits for the deadlines to pass, and reads the alerts.
 *
 * <p>Reported: recall per detector (the fault's detector found it, naming its agents), alerts on
 * the clean workload (target 0), alerts per injected fault (target 1), and the wall time from the
 * triggering event's ack to the alert's arrival on a WebSocket subscription (from the deadline, for
 * faults a deadline reports).
 *
 * <pre>scripts/insight-bench.sh [--rounds 3] [--seconds 45] [--agents 8] [--rate 80] [--seed 1]</pre>
 */
public final class InsightBench {

  private static final Duration SETTLE = Duration.ofSeconds(28);
  private static final Duration WARM = Duration.ofSeconds(8);

  private record RoundResult(List<JsonNode> cleanAlerts, Map<InsightFault, FaultResult> faults) {}

  private record FaultResult(boolean found, int alerts, List<String> detectors, Long latencyMs) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    URI url = URI.create(opts.getOrDefault("url", "http://127.0.0.1:8080"));
    String adminKey = System.getenv("AGENTWATCH_BENCH_KEY");
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "3"));
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "45"));
    int agents = Integer.parseInt(opts.getOrDefault("agents", "8"));
    double rate = Double.parseDouble(opts.getOrDefault("rate", "80"));
    long seed = Long.parseLong(opts.getOrDefault("seed", "1"));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    List<RoundResult> results = new ArrayList<>();
    for (int r = 1; r <= rounds; r++) {
      System.err.printf("[insight] round %d of %d%n", r, rounds);
      results.add(round(url, http, adminKey, r, seconds, agents, rate, seed + r));
    }
    System.out.println(report(results, rounds, seconds, agents, rate, seed));
  }

  private static RoundResult round(URI url, HttpClient http, String adminKey, int round, int seconds, int agents,
      double rate, long seed) throws Exception {
    String tag = "r" + round + "-" + Long.toString(System.currentTimeMillis(), 36);
    InsightTenant clean = new InsightTenant(url, http, adminKey, "insight-clean-" + tag);
    Map<InsightFault, InsightTenant> faulty = new EnumMap<>(InsightFault.class);
    for (InsightFault f : InsightFault.values()) {
      faulty.put(f, new InsightTenant(url, http, adminKey, "insight-" + f.detector.replace('_', '-') + "-" + tag));
    }
    List<Simulation> sims = new ArrayList<>();
    List<Team> teams = Team.of("sim", agents);
    for (InsightTenant t : tenants(clean, faulty)) {
      sims.add(Simulation.start(new Simulation.Options(teams, "sim", 0.05, rate, seed, true),
          agent -> AgentwatchClient.builder(url).apiKey(t.key).backoff(Duration.ofMillis(50), Duration.ofSeconds(2))));
    }
    long started = System.nanoTime();
    Thread.sleep(WARM.toMillis());
    Map<InsightFault, InsightFault.Injected> injected = new EnumMap<>(InsightFault.class);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Map<InsightFault, Future<InsightFault.Injected>> running = new EnumMap<>(InsightFault.class);
      Team team = teams.getFirst();
      faulty.forEach((f, t) -> running.put(f, pool.submit(() -> f.inject(t, "fault-run-" + round, team.manager(),
          team.workers(), InsightFault.Timing.BENCH))));
      for (var e : running.entrySet()) {
        injected.put(e.getKey(), e.getValue().get());
      }
    }
    long left = Duration.ofSeconds(seconds).toNanos() - (System.nanoTime() - started);
    if (left > 0) {
      Thread.sleep(left / 1_000_000);
    }
    sims.forEach(s -> s.stop(Duration.ofSeconds(10)));
    for (InsightTenant t : tenants(clean, faulty)) {
      t.endRunningRuns();
      signOff(t, teams);
    }
    Thread.sleep(SETTLE.toMillis());

    List<JsonNode> cleanAlerts = clean.allAlerts();
    Map<InsightFault, FaultResult> faults = new EnumMap<>(InsightFault.class);
    for (var e : faulty.entrySet()) {
      faults.put(e.getKey(), judge(e.getValue(), injected.get(e.getKey())));
    }
    tenants(clean, faulty).forEach(InsightTenant::close);
    return new RoundResult(cleanAlerts, faults);
  }

  private static List<InsightTenant> tenants(InsightTenant clean, Map<InsightFault, InsightTenant> faulty) {
    List<InsightTenant> all = new ArrayList<>();
    all.add(clean);
    all.addAll(faulty.values());
    return all;
  }

  /** At the end every agent of the teams says it goes offline, as agents that stop for good do. */
  private static void signOff(InsightTenant t, List<Team> teams) throws Exception {
    List<ObjectNode> events = new ArrayList<>();
    for (Team team : teams) {
      List<String> ids = new ArrayList<>(team.workers());
      ids.add(team.manager());
      for (String id : ids) {
        events.add(InsightFault.event("bye-" + id, "agent.status", id, null, Map.of("status", "offline")));
      }
    }
    t.ingest(events);
  }

  private static FaultResult judge(InsightTenant t, InsightFault.Injected inj) throws Exception {
    List<JsonNode> alerts = t.allAlerts();
    boolean found = false;
    for (JsonNode a : alerts) {
      for (JsonNode item : a.get("items")) {
        if (matches(item, inj)) {
          found = true;
        }
      }
    }
    Long latency = null;
    for (InsightTenant.Arrival arrival : t.alerts) {
      JsonNode data = arrival.event().get("data");
      for (String field : List.of("items", "added")) {
        JsonNode items = data.get(field);
        if (latency == null && items != null) {
          for (JsonNode item : items) {
            if (matches(item, inj)) {
              long from = inj.fault().deadline ? inj.deadlineNanos() : inj.triggerAckedNanos();
              latency = (arrival.atNanos() - from) / 1_000_000;
              break;
            }
          }
        }
      }
    }
    List<String> detectors = alerts.stream().map(a -> a.get("detector").stringValue()).sorted().toList();
    return new FaultResult(found, alerts.size(), detectors, latency);
  }

  private static boolean matches(JsonNode item, InsightFault.Injected inj) {
    if (!inj.fault().detector.equals(item.get("detector").stringValue())) {
      return false;
    }
    Set<String> named = new HashSet<>();
    item.get("agents").forEach(n -> named.add(n.stringValue()));
    return named.stream().anyMatch(inj.agents()::contains);
  }

  private static String report(List<RoundResult> results, int rounds, int seconds, int agents, double rate, long seed) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Insight benchmark: %d rounds, each %d s of %d simulated agents per tenant"
        + " (%s events/s at most per tenant, signing off at run ends), seed %d; 9 tenants at a time (clean + one"
        + " fault of each detector).%n%n", rounds, seconds, agents, rate, seed));
    md.append("| detector | recall | alerts per injected fault (each round) | other detectors in the faulty tenant | "
        + "latency ms (each round) |\n|---|---|---|---|---|\n");
    for (InsightFault f : InsightFault.values()) {
      int found = 0;
      List<String> counts = new ArrayList<>();
      List<String> latencies = new ArrayList<>();
      Set<String> others = new java.util.TreeSet<>();
      for (RoundResult r : results) {
        FaultResult fr = r.faults().get(f);
        found += fr.found() ? 1 : 0;
        counts.add(String.valueOf(fr.alerts()));
        latencies.add(fr.latencyMs() == null ? "—" : fr.latencyMs().toString());
        fr.detectors().stream().filter(d -> !d.equals(f.detector)).forEach(others::add);
      }
      md.append(String.format(Locale.ROOT, "| `%s`%s | %d/%d | %s | %s | %s |%n", f.detector,
          f.deadline ? " (deadline)" : "", found, results.size(), String.join(", ", counts),
          others.isEmpty() ? "—" : String.join(", ", others), String.join(", ", latencies)));
    }
    Map<String, Integer> cleanByDetector = new TreeMap<>();
    int cleanTotal = 0;
    for (RoundResult r : results) {
      cleanTotal += r.cleanAlerts().size();
      r.cleanAlerts().forEach(a -> cleanByDetector.merge(a.get("detector").stringValue(), 1, Integer::sum));
    }
    md.append(String.format(Locale.ROOT, "%nAlerts on the clean workload: %d over %d rounds%s.%n", cleanTotal, rounds,
        cleanByDetector.isEmpty() ? "" : " (" + cleanByDetector + ")"));
    Histogram eventTriggered = new Histogram(3);
    for (RoundResult r : results) {
      r.faults().forEach((f, fr) -> {
        if (!f.deadline && fr.latencyMs() != null) {
          eventTriggered.recordValue(Math.max(0, fr.latencyMs()));
        }
      });
    }
    if (eventTriggered.getTotalCount() > 0) {
      md.append(String.format(Locale.ROOT, "Event-triggered findings, trigger ack → alert on the socket: p50 %d ms,"
          + " max %d ms (%d findings).%n", eventTriggered.getValueAtPercentile(50), eventTriggered.getMaxValue(),
          eventTriggered.getTotalCount()));
    }
    return md.toString();
  }
}
