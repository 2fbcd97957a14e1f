package io.agentwatch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Load benchmark of a running Agentwatch server, with a same-run SQLite baseline. Phases, each
 * bounded in time: {@code sqlite} (raw batched inserts, same rows and durability), {@code http}
 * (peak durable ingest over HTTP), {@code ws} (peak over WebSocket), {@code ack} (ack latency
 * paced below saturation), {@code delivery} (subscribers' ingest-to-delivery latency at a share of
 * the peak). Every run id is then read back from history and compared with what was acked.
 * Prints a Markdown section; exits 2 when an acked event is missing from history, 1 on failure.
 *
 * <p>Run it with {@code scripts/bench.sh}, which starts a fresh server; see BENCHMARKS.md.
 */
public final class LoadBench {

  private static final Duration PAUSE_BETWEEN_PHASES = Duration.ofSeconds(2);
  private static final Duration IDLE_SAMPLE = Duration.ofSeconds(3);

  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    BenchRun run = new LoadBench().run(options);
    System.out.println(Report.markdown(run));
    if (!run.historyOk()) {
      System.err.println("!!! MISMATCH: acked events are missing from history (or stored twice); see the table above");
      System.exit(2);
    }
    System.exit(run.failures.isEmpty() ? 0 : 1);
  }

  private BenchRun run(BenchOptions o) throws Exception {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    BenchRun run = new BenchRun(o, new Envelopes("bench-" + stamp + "-http").eventBytes());
    CpuMeter cpu = new CpuMeter(o.serverPid());
    List<IdLedger> ledgers = new ArrayList<>();
    try (HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build()) {
      HttpIngest http = new HttpIngest(client, o.url(), o.key(), cpu);
      CpuMeter.Sample quiet = cpu.sample();
      Thread.sleep(IDLE_SAMPLE);
      run.idle = CpuMeter.between(quiet, cpu.sample());
      log(String.format("machine %.0f%% busy before the run", run.idle.machineBusyFraction() * 100));
      if (o.phases().contains("sqlite")) {
        log("sqlite baseline: " + o.duration().toSeconds() + " s of 1,000-row transactions");
        run.baseline = new SqliteBaseline(o.baselineDir(), cpu).run(o.duration(), 1000, Duration.ofSeconds(3),
            o.ackBatch());
        log(String.format("  %,.0f rows/s", run.baseline.rowsPerSecond()));
      }
      requireHealthy(client, o.url());
      if (!o.warmup().isZero() && (o.phases().contains("http") || o.phases().contains("ws"))) {
        IdLedger ledger = ledger(ledgers, stamp, "warmup");
        log("warm-up: " + o.warmup().toSeconds() + " s of HTTP ingest");
        run.warmup = http.run(new HttpIngest.Plan("warm-up (HTTP, unpaced)", new Envelopes(ledger.runId()),
            o.producers(), o.batch(), o.warmup(), 0), ledger);
        pause();
      }
      if (o.phases().contains("http")) {
        IdLedger ledger = ledger(ledgers, stamp, "http");
        log("http peak: " + o.producers() + " producers × " + o.batch() + " events");
        run.httpPeak = http.run(new HttpIngest.Plan("HTTP peak", new Envelopes(ledger.runId()), o.producers(),
            o.batch(), o.duration(), 0), ledger);
        log(String.format("  %,.0f events/s", run.httpPeak.eventsPerSecond()));
        pause();
      }
      if (o.phases().contains("ws")) {
        IdLedger ledger = ledger(ledgers, stamp, "ws");
        log("ws peak: " + o.wsSockets() + " sockets × " + o.wsWindow() + " × " + o.wsBatch() + " events");
        run.wsPeak = new WsIngest(client, o.url(), o.key(), cpu).run(new WsIngest.Plan("WebSocket peak",
            new Envelopes(ledger.runId()), o.wsSockets(), o.wsWindow(), o.wsBatch(), o.duration()), ledger);
        log(String.format("  %,.0f events/s", run.wsPeak.eventsPerSecond()));
        pause();
      }
      if (o.phases().contains("ack")) {
        IdLedger ledger = ledger(ledgers, stamp, "ack");
        double target = run.peak() * o.ackShare();
        log(String.format("ack latency: paced at %,.0f events/s in %d-event POSTs", target, o.ackBatch()));
        run.ack = http.run(new HttpIngest.Plan("ack latency (paced)", new Envelopes(ledger.runId()), o.producers(),
            o.ackBatch(), o.duration(), target), ledger);
        log("  p50 / p99 / max " + run.ack.ackLatency().text() + " ms");
        pause();
      }
      if (o.phases().contains("delivery")) {
        IdLedger ledger = ledger(ledgers, stamp, "delivery");
        delivery(run, client, http, ledger);
      }
      for (IdLedger ledger : ledgers) {
        log("history check of " + ledger.runId());
        IdLedger.Comparison c = new HistoryCheck(client, o.url(), o.key()).check(ledger);
        run.checks.add(c);
        if (!c.ok()) {
          log("!!! MISMATCH in " + c);
        }
      }
    } catch (Exception e) {
      run.failures.add("the bench stopped early: " + e);
      e.printStackTrace();
    }
    return run;
  }

  private void delivery(BenchRun run, HttpClient client, HttpIngest http, IdLedger ledger) throws Exception {
    BenchOptions o = run.options;
    double target = o.deliveryRate() > 0 ? o.deliveryRate() : run.peak() * o.deliveryShare();
    log(String.format("delivery: %d subscribers, producers paced at %,.0f events/s", o.subscribers(), target));
    // The subscribers get their own client on platform threads, so 100 sockets' callbacks do not
    // queue the producers' virtual threads behind them on this JVM's few carrier threads.
    try (HttpClient subscriberClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
         Subscribers subscribers = Subscribers.open(subscriberClient, o.jdkSubscribers(), o.url(), o.key(),
             ledger.runId(), o.subscribers(), o.resubscribeOnGap())) {
      run.delivery = http.run(new HttpIngest.Plan("delivery (paced, " + o.subscribers() + " subscribers)",
          new Envelopes(ledger.runId()), o.producers(), o.deliveryBatch(), o.duration(), target), ledger);
      run.subscribers = subscribers.await(ledger.ackedCount(), Duration.ofSeconds(10), Duration.ofSeconds(60));
      log("  delivery p50 / p99 / max " + run.subscribers.latency().text() + " ms, gaps " + run.subscribers.gaps());
      if (run.subscribers.min() < run.subscribers.expected()) {
        run.failures.add("a subscriber received " + run.subscribers.min() + " of " + run.subscribers.expected()
            + " events within 60 s after the phase");
      }
    }
  }

  private static IdLedger ledger(List<IdLedger> ledgers, String stamp, String phase) {
    IdLedger ledger = new IdLedger("bench-" + stamp + "-" + phase);
    ledgers.add(ledger);
    return ledger;
  }

  private static void requireHealthy(HttpClient client, URI base) throws Exception {
    HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/actuator/health"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (health.statusCode() != 200) {
      throw new IllegalStateException("server not healthy: " + health.statusCode() + " " + health.body());
    }
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(PAUSE_BETWEEN_PHASES);
  }

  static URI socketUri(URI base) {
    String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
    return URI.create(scheme + "://" + base.getRawAuthority() + "/api/v1/ws");
  }

  static void closeQuietly(WebSocket ws) {
    if (ws == null) {
      return;
    }
    try {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bench done").orTimeout(2, TimeUnit.SECONDS).join();
    } catch (RuntimeException e) {
      // Closing anyway.
    }
    ws.abort();
  }

  private static void log(String line) {
    System.err.println("[bench] " + line);
  }
}
