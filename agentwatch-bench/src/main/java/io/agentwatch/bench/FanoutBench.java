package io.agentwatch.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Live delivery at scale (see BENCHMARKS.md, "Live delivery"): a running Agentwatch server against
 * a raw baseline measured in the same run — {@link BaselineServer}, the same engine sending the
 * same bytes to the same number of sockets and nothing else. Scenarios, each bounded in time:
 *
 * <ul>
 *   <li>{@code broad-ws}, {@code broad-ws-batch}, {@code broad-sse}: N subscribers to the tenant's
 *       whole stream, ingest paced over HTTP; every event must reach every subscriber;</li>
 *   <li>{@code selective}: many WebSocket subscribers, each filtered to one of many runs, against
 *       the server's CPU with ten such subscribers at the same rate;</li>
 *   <li>{@code slow}: normal subscribers, then the same with one that never reads and one that
 *       reads at a tenth of the rate; both must end with every event, in order, without a gap;</li>
 *   <li>{@code idle}: many authenticated WebSocket connections, then as many SSE streams: memory
 *       per connection, and every one still answering.</li>
 * </ul>
 * Prints a Markdown section; exits 1 when an event went missing or arrived out of order, or a
 * scenario failed. Run it with {@code scripts/fanout-bench.sh}.
 */
public final class FanoutBench {

  private static final Duration PAUSE = Duration.ofSeconds(2);

  private final FanoutOptions o;
  private final HttpClient client;
  private final CpuMeter serverCpu;
  private final List<String> rows = new ArrayList<>();
  private final List<String> failures = new ArrayList<>();
  private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  private Process baseline;
  private URI baselineUrl;
  private CpuMeter baselineCpu;

  private FanoutBench(FanoutOptions o, HttpClient client) {
    this.o = o;
    this.client = client;
    this.serverCpu = new CpuMeter(o.serverPid());
  }

  public static void main(String[] args) throws Exception {
    FanoutOptions options;
    try {
      options = FanoutOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).executor(Executors.newVirtualThreadPerTaskExecutor()).build()) {
      FanoutBench bench = new FanoutBench(options, client);
      try {
        bench.run();
      } finally {
        bench.stopBaseline();
      }
      System.out.println(bench.report());
      System.exit(bench.failures.isEmpty() ? 0 : 1);
    }
  }

  private void run() throws Exception {
    for (String scenario : o.scenarios()) {
      log("scenario " + scenario);
      try {
        switch (scenario) {
          case "broad-ws" -> broad(Transport.WS);
          case "broad-ws-batch" -> broad(Transport.WS_BATCH);
          case "broad-sse" -> broad(Transport.SSE);
          case "selective" -> selective();
          case "slow" -> slow();
          case "idle" -> idle();
          default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
      } catch (Exception e) {
        failures.add(scenario + ": " + e);
        log("  failed: " + e);
      }
      Thread.sleep(PAUSE);
    }
  }

  enum Transport {
    WS("WebSocket"), WS_BATCH("WebSocket, batch:true"), SSE("SSE");

    final String label;

    Transport(String label) {
      this.label = label;
    }
  }

  // --- broad fan-out -----------------------------------------------------------------------------

  private void broad(Transport transport) throws Exception {
    int n = o.subscribers();
    String run = "fan-" + stamp + "-" + transport.name().toLowerCase(Locale.ROOT);
    Delivered ours;
    try (Subscribers crowd = Subscribers.open(o.url(), o.key(), transport, n, "{}", run)) {
      ours = deliverThroughServer(crowd, run, o.rate(), o.duration());
    }
    startBaseline();
    Delivered raw;
    try (Subscribers crowd = Subscribers.open(baselineUrl, "baseline", transport == Transport.WS_BATCH ? Transport.WS : transport,
        n, "{}", run)) {
      raw = deliverThroughBaseline(crowd, run + "-raw", o.rate(), o.duration());
    }
    String what = n + " " + transport.label + " subscribers, whole stream, " + Report.rate(o.rate()) + " events/s";
    rows.add(row(what + ": deliveries/s", Report.rate(ours.perSecond()), Report.rate(raw.perSecond()),
        ratio(ours.perSecond() / raw.perSecond())));
    rows.add(row(what + ": ingest → subscriber p50 / p99 / max (ms)", ours.latency().text(), raw.latency().text(),
        "p99 " + ratio(ours.latency().p99Ms() / raw.latency().p99Ms())));
    rows.add(row(what + ": server CPU (cores), µs per delivery; load generator (cores)", cpu(ours), cpu(raw),
        ratio(ours.cpuMicrosPerDelivery() / raw.cpuMicrosPerDelivery())));
    rows.add(row(what + ": events each subscriber got, min / max (expected)", ours.coverage(), raw.coverage(), "—"));
    check(what, ours);
    if (o.saturate()) {
      String saturated = n + " " + transport.label + " subscribers, unpaced";
      Delivered oursMax;
      try (Subscribers crowd = Subscribers.open(o.url(), o.key(), transport, n, "{}", run + "-max")) {
        oursMax = deliverThroughServer(crowd, run + "-max", 0, o.duration());
      }
      Delivered rawMax;
      try (Subscribers crowd = Subscribers.open(baselineUrl, "baseline", transport == Transport.WS_BATCH ? Transport.WS
          : transport, n, "{}", run + "-max")) {
        rawMax = deliverThroughBaseline(crowd, run + "-raw-max", 0, o.duration());
      }
      rows.add(row(saturated + ": deliveries/s", Report.rate(oursMax.perSecond()), Report.rate(rawMax.perSecond()),
          ratio(oursMax.perSecond() / rawMax.perSecond())));
      rows.add(row(saturated + ": server CPU (cores), µs per delivery; load generator (cores)", cpu(oursMax),
          cpu(rawMax),
          ratio(oursMax.cpuMicrosPerDelivery() / rawMax.cpuMicrosPerDelivery())));
      check(saturated, oursMax);
    }
  }

  /**
   * What a crowd got in a measured window: deliveries per second over the window (events sent in
   * it times subscribers, when all arrived), latency, and the server's CPU.
   */
  record Delivered(long sent, double seconds, Subscribers.Result result, CpuMeter.Share cpu) {

    double perSecond() {
      return result.total() / seconds;
    }

    Latency latency() {
      return result.latency();
    }

    double cpuMicrosPerDelivery() {
      return result.total() == 0 ? Double.NaN : cpu.serverCores() * seconds * 1e6 / result.total();
    }

    String coverage() {
      return Report.count(result.min()) + " / " + Report.count(result.max()) + " (" + Report.count(sent) + ")";
    }
  }

  private Delivered deliverThroughServer(Subscribers crowd, String run, double rate, Duration duration) throws Exception {
    HttpIngest http = new HttpIngest(client, o.url(), o.key(), serverCpu);
    if (!o.warmup().isZero()) {
      http.run(plan("warm-up", new Envelopes(run + "-warmup"), rate, o.warmup()), new IdLedger(run + "-warmup"));
      crowd.await(Long.MAX_VALUE, Duration.ofSeconds(1), Duration.ofSeconds(10));
    }
    crowd.measureFrom(System.nanoTime());
    CpuMeter.Sample before = serverCpu.sample();
    PhaseResult ingest = http.run(plan(run, new Envelopes(run), rate, duration), new IdLedger(run));
    CpuMeter.Sample after = serverCpu.sample();
    if (ingest.errors() > 0) {
      failures.add(run + ": " + ingest.errors() + " ingest requests failed, first: " + ingest.firstError());
    }
    Subscribers.Result result = crowd.await(ingest.events(), Duration.ofSeconds(5), Duration.ofSeconds(60));
    return new Delivered(ingest.events(), ingest.seconds(), result, CpuMeter.between(before, after));
  }

  private static HttpIngest.Plan plan(String name, EventBatches envelopes, double rate, Duration duration) {
    // Paced: one event per request, as agents send them; unpaced: 50-event batches as fast as acks come.
    return rate > 0 ? new HttpIngest.Plan(name, envelopes, 4, 1, duration, rate)
        : new HttpIngest.Plan(name, envelopes, 8, 50, duration, 0);
  }

  private Delivered deliverThroughBaseline(Subscribers crowd, String run, double rate, Duration duration) throws Exception {
    crowd.measureFrom(System.nanoTime());
    long sentBefore = baselineSent();
    CpuMeter.Sample before = baselineCpu.sample();
    long start = System.nanoTime();
    control("/control/broadcast?rate=" + rate + "&seconds=" + duration.toMillis() / 1000.0 + "&run=" + run);
    Thread.sleep(duration.plusMillis(200));
    while (!baselineDone()) {
      Thread.sleep(50);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CpuMeter.Sample after = baselineCpu.sample();
    long sent = baselineSent() - sentBefore;
    Subscribers.Result result = crowd.await(sent, Duration.ofSeconds(5), Duration.ofSeconds(60));
    return new Delivered(sent, seconds, result, CpuMeter.between(before, after));
  }

  private void check(String what, Delivered d) {
    Subscribers.Result r = d.result();
    if (r.min() < d.sent() || r.gaps() > 0 || r.errors() > 0) {
      failures.add(what + ": a subscriber got " + r.min() + " of " + d.sent() + " events, " + r.gaps() + " gaps, "
          + r.errors() + " errors" + (r.firstError() == null ? "" : " (first: " + r.firstError() + ")"));
    }
  }

  // --- selective fan-out -------------------------------------------------------------------------

  private void selective() throws Exception {
    String run = "sel-" + stamp;
    int runs = o.selectiveRuns();
    double rate = o.selectiveRate();
    Delivered few;
    try (Subscribers crowd = Subscribers.openSpread(o.url(), o.key(), 10, run, runs)) {
      few = deliverSpread(crowd, run + "-few", run, runs, rate, 10);
    }
    Delivered many;
    try (Subscribers crowd = Subscribers.openSpread(o.url(), o.key(), o.selectiveSubscribers(), run, runs)) {
      many = deliverSpread(crowd, run + "-many", run, runs, rate, o.selectiveSubscribers());
    }
    String what = Report.count(o.selectiveSubscribers()) + " WebSocket subscribers, each on one of " + Report.count(runs)
        + " runs, " + Report.rate(rate) + " events/s";
    rows.add(row(what + ": ingest → subscriber p50 / p99 / max (ms)", many.latency().text(),
        "10 subscribers: " + few.latency().text(), "p99 " + ratio(many.latency().p99Ms() / few.latency().p99Ms())));
    rows.add(row(what + ": server CPU (cores)", Report.cores(many.cpu().serverCores()),
        "10 subscribers: " + Report.cores(few.cpu().serverCores()),
        ratio(many.cpu().serverCores() / few.cpu().serverCores())));
    rows.add(row(what + ": deliveries/s; events each subscriber got, min / max", Report.rate(many.perSecond())
        + "; " + Report.count(many.result().min()) + " / " + Report.count(many.result().max()), "—", "—"));
    if (many.result().gaps() + many.result().errors() + few.result().gaps() + few.result().errors() > 0) {
      failures.add(what + ": gaps or errors: " + many.result().firstError() + " " + few.result().firstError());
    }
  }

  /** Ingest over {@code runs} runs (event i to run i mod runs) while each subscriber follows one run. */
  private Delivered deliverSpread(Subscribers crowd, String ledgerRun, String run, int runs, double rate, int subscribers)
      throws Exception {
    HttpIngest http = new HttpIngest(client, o.url(), o.key(), serverCpu);
    if (!o.warmup().isZero()) {
      http.run(new HttpIngest.Plan("warm-up", new SpreadEnvelopes(ledgerRun + "-w", run, runs), 4, 10, o.warmup(),
          rate), new IdLedger(ledgerRun + "-w"));
      Thread.sleep(1000);
    }
    crowd.measureFrom(System.nanoTime());
    CpuMeter.Sample before = serverCpu.sample();
    SpreadEnvelopes envelopes = new SpreadEnvelopes(ledgerRun, run, runs);
    PhaseResult ingest = http.run(new HttpIngest.Plan(ledgerRun, envelopes, 4, 10, o.duration(), rate),
        new IdLedger(ledgerRun));
    CpuMeter.Sample after = serverCpu.sample();
    if (ingest.errors() > 0) {
      failures.add(ledgerRun + ": " + ingest.errors() + " ingest requests failed, first: " + ingest.firstError());
    }
    // Each subscriber follows one run and must get exactly that run's events.
    long most = IntStream.range(0, runs).mapToLong(envelopes::made).max().orElse(0);
    Subscribers.Result result = crowd.await(most, Duration.ofSeconds(5), Duration.ofSeconds(60));
    List<SubscriberState> members = crowd.members();
    long wrong = IntStream.range(0, members.size())
        .filter(i -> members.get(i).delivered() != envelopes.made(i % runs)).count();
    if (wrong > 0) {
      failures.add(ledgerRun + ": " + wrong + " of " + members.size() + " subscribers did not get exactly their run's events");
    }
    return new Delivered(most, ingest.seconds(), result, CpuMeter.between(before, after));
  }

  // --- slow readers ------------------------------------------------------------------------------

  private void slow() throws Exception {
    String run = "slow-" + stamp;
    double rate = o.slowRate();
    int n = o.slowNormal();
    HeapMeter heap = new HeapMeter(o.serverPid());
    Delivered alone;
    try (Subscribers crowd = Subscribers.open(o.url(), o.key(), Transport.WS, n, SubscriberState.runFilter(run + "-alone"),
        run + "-alone")) {
      alone = deliverThroughServer(crowd, run + "-alone", rate, o.duration());
    }
    long heapBefore = heap.usedAfterGc();
    Delivered beside;
    RawSubscriber never;
    RawSubscriber tenth;
    long heapDuring;
    try (Subscribers crowd = Subscribers.open(o.url(), o.key(), Transport.WS, n, SubscriberState.runFilter(run), run);
         Subscribers slowOnes = Subscribers.openEach(o.url(), o.key(), 2, SubscriberState.runFilter(run))) {
      never = (RawSubscriber) slowOnes.members().get(0);
      tenth = (RawSubscriber) slowOnes.members().get(1);
      never.trackOrder();
      tenth.trackOrder();
      never.pause();
      tenth.readAtMost(rate / 10);
      beside = deliverThroughServer(crowd, run, rate, o.duration());
      heapDuring = heap.usedAfterGc();
      // Then both read at full speed: each must end with every event, in order, without a gap.
      tenth.readAtMost(0);
      never.resume();
      long expected = beside.sent();
      Subscribers.Result slowResult = slowOnes.await(beside.sent(), Duration.ofSeconds(10), Duration.ofSeconds(120));
      String what = n + " subscribers at " + Report.rate(rate) + " events/s, beside one that never reads and one at 10 %";
      rows.add(row(what + ": normal p50 / p99 / max (ms)", beside.latency().text(), "alone: " + alone.latency().text(),
          "p99 " + ratio(beside.latency().p99Ms() / alone.latency().p99Ms())));
      rows.add(row(what + ": ingest events/s achieved", Report.rate(beside.sent() / beside.seconds()),
          "alone: " + Report.rate(alone.sent() / alone.seconds()),
          ratio((beside.sent() / beside.seconds()) / (alone.sent() / alone.seconds()))));
      rows.add(row(what + ": the slow two, events got (expected), out of order, gaps",
          Report.count(slowResult.min()) + " / " + Report.count(slowResult.max()) + " (" + Report.count(expected) + "), "
              + (never.outOfOrder() + tenth.outOfOrder()) + ", " + slowResult.gaps(), "—", "—"));
      rows.add(row(what + ": server heap after GC before / while they lag (MB)",
          mb(heapBefore) + " / " + mb(heapDuring), "—", "—"));
      check(what, beside);
      if (slowResult.min() < expected || never.outOfOrder() + tenth.outOfOrder() > 0 || slowResult.gaps() > 0) {
        failures.add("slow readers: got " + slowResult.min() + " of " + expected + ", " + (never.outOfOrder()
            + tenth.outOfOrder()) + " out of order, " + slowResult.gaps() + " gaps");
      }
    }
  }

  // --- idle connections --------------------------------------------------------------------------

  private void idle() throws Exception {
    HeapMeter meter = new HeapMeter(o.serverPid());
    for (Transport transport : List.of(Transport.WS, Transport.SSE)) {
      int n = o.idleConnections();
      HeapMeter.Reading before = meter.read();
      try (Subscribers crowd = Subscribers.openIdle(o.url(), o.key(), transport, n)) {
        Thread.sleep(2000);
        HeapMeter.Reading after = meter.read();
        long answered = crowd.pingAll(transport, Duration.ofSeconds(o.heartbeatSeconds() + 5L));
        double heapKb = (after.heapBytes() - before.heapBytes()) / 1024.0 / n;
        double rssKb = (after.rssBytes() - before.rssBytes()) / 1024.0 / n;
        String what = Report.count(n) + " idle authenticated " + transport.label + " connections";
        rows.add(row(what + ": heap / RSS per connection (KB)", String.format(Locale.ROOT, "%.1f / %.1f", heapKb, rssKb),
            "—", "target ≤ 20"));
        rows.add(row(what + ": answering (" + (transport == Transport.SSE ? "heartbeat" : "pong") + ")",
            Report.count(answered) + " of " + Report.count(n), "—", "—"));
        if (answered < n) {
          failures.add(what + ": only " + answered + " answered");
        }
      }
      Thread.sleep(PAUSE);
    }
  }

  // --- the raw baseline process ------------------------------------------------------------------

  private void startBaseline() throws Exception {
    if (baseline != null) {
      return;
    }
    int port = FreePort.find();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    baseline = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        BaselineServer.class.getName(), Integer.toString(port))
        .redirectErrorStream(true).redirectOutput(Files.createTempFile("baseline", ".log").toFile()).start();
    baselineUrl = URI.create("http://127.0.0.1:" + port);
    baselineCpu = new CpuMeter(baseline.pid());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        baselineDone();
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline || !baseline.isAlive()) {
          throw new IllegalStateException("the baseline server did not start", e);
        }
        Thread.sleep(100);
      }
    }
  }

  private void stopBaseline() {
    if (baseline != null) {
      baseline.destroy();
      try {
        baseline.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      baseline.destroyForcibly();
    }
  }

  private String control(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(baselineUrl.resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return r.body();
  }

  private long baselineSent() throws IOException, InterruptedException {
    return Long.parseLong(control("/control/status").split(" ")[0]);
  }

  private boolean baselineDone() throws IOException, InterruptedException {
    return Boolean.parseBoolean(control("/control/status").split(" ")[1]);
  }

  // --- report ------------------------------------------------------------------------------------

  private String report() {
    StringBuilder md = new StringBuilder();
    md.append("## Live delivery benchmark, ")
        .append(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"))).append(" UTC\n\n");
    md.append("- Machine: ").append(Machine.describe()).append('\n');
    md.append("- Server, baseline and load generator on the same machine, over loopback: they share its CPUs.\n");
    if (o.command() != null) {
      md.append("- Command: `").append(o.command()).append("`\n");
    }
    if (o.build() != null) {
      md.append("- Server build: ").append(o.build()).append('\n');
    }
    md.append("- Events: `log`, about 1 KB each, ingested over HTTP and delivered to every matching subscriber; ")
        .append("windows of ").append(o.duration().toSeconds()).append(" s after ")
        .append(o.warmup().toSeconds()).append(" s of warm-up. Baseline: `BaselineServer`, Jetty sending the same ")
        .append("bytes to the same sockets, nothing else; ratio = Agentwatch ÷ baseline.\n\n");
    md.append("| scenario | Agentwatch | baseline | ratio |\n|---|---|---|---|\n");
    rows.forEach(r -> md.append(r).append('\n'));
    if (!failures.isEmpty()) {
      md.append("\n**Problems:**\n\n");
      failures.forEach(f -> md.append("- ").append(f).append('\n'));
    }
    return md.toString();
  }

  private static String row(String metric, String ours, String raw, String ratio) {
    return "| " + metric + " | " + ours + " | " + raw + " | " + ratio + " |";
  }

  private static String cpu(Delivered d) {
    return Report.cores(d.cpu().serverCores()) + ", " + String.format(Locale.ROOT, "%.1f", d.cpuMicrosPerDelivery())
        + "; " + Report.cores(d.cpu().benchCores());
  }

  private static String ratio(double r) {
    return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f×", r) : "—";
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.0f", bytes / 1024.0 / 1024.0);
  }

  static void log(String message) {
    System.err.println("[fanout-bench] " + message);
  }

  /** A free loopback port. */
  static final class FreePort {
    static int find() throws IOException {
      try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }
}
