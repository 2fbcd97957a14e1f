package io.agentwatch.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Browser benchmark of the dashboard: the machine's headless Chromium shows a view of the
 * dashboard, signed in, while agents' events come in over HTTP at fixed rates; a script in the
 * page ({@link PageProbe}) records the main thread's frame times and, for every event, the time
 * from its producer's send to the painted frame that showed it. Baselines from the same run: the
 * same view idle (frame time) and a lean WebSocket subscriber in this JVM receiving the same
 * events (delivery). Prints a Markdown section; exits 1 when the bench could not finish.
 *
 * <p>Run it with {@code scripts/browser-bench.sh}, which starts a fresh server; see BENCHMARKS.md.
 */
public final class BrowserBench {

  /** One measured phase: a view, idle ({@code rate} 0) or under load. */
  record Phase(String view, int rate, PageSample page, PhaseResult ingest, long acked, Spread subscriber,
               long subscriberReceived, long subscriberGaps, Cpu cpu) {

    boolean idle() {
      return rate == 0;
    }
  }

  /** Cores used on average during a phase's load (or idle) window. */
  record Cpu(double server, double browser, double bench, double machineBusy) {

    double others() {
      return machineBusy * Runtime.getRuntime().availableProcessors() - server - browser - bench;
    }
  }

  /** Everything one run measured. */
  record Run(BrowserOptions options, Instant started, String chromium, int eventBytes, Cpu before,
             List<Phase> phases, List<String> failures) {}

  private static final Duration SETTLE = Duration.ofSeconds(2);
  private static final Duration DRAIN_IDLE = Duration.ofSeconds(5);
  private static final Duration DRAIN_MAX = Duration.ofSeconds(60);

  private final BrowserOptions o;
  private final CpuMeter cpu;
  private final String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
  private final String runPrefix = "bb-" + stamp;
  private HttpIngest http;
  private HeadlessChromium browser;
  private PageProbe probe;
  private RawSubscriber subscriber;
  private int phaseSeq;

  private BrowserBench(BrowserOptions options) {
    this.o = options;
    this.cpu = new CpuMeter(options.serverPid());
  }

  public static void main(String[] args) {
    BrowserOptions options;
    try {
      options = BrowserOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    Run run = new BrowserBench(options).run();
    System.out.println(BrowserReport.markdown(run));
    System.exit(run.failures().isEmpty() ? 0 : 1);
  }

  private Run run() {
    Instant started = Instant.now();
    List<Phase> phases = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    String chromium = "?";
    Cpu before = null;
    AgentTraffic sample = traffic("sample");
    int eventBytes = sample.array(0, 0, AgentTraffic.CYCLE.length).length() / AgentTraffic.CYCLE.length;
    try (HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .executor(Executors.newVirtualThreadPerTaskExecutor())
        .build()) {
      http = new HttpIngest(client, o.url(), o.key(), cpu);
      before = measureCpu(Duration.ofSeconds(3));
      log(String.format("machine %.0f%% busy before the run", before.machineBusy() * 100));
      register(client);
      Path profile = o.profileDir() != null ? o.profileDir() : Files.createTempDirectory("agentwatch-chromium");
      browser = HeadlessChromium.open(o.chromium(), o.chromedriver(), profile);
      chromium = browser.version();
      log("Chromium " + chromium + ": signing in");
      browser.signIn(o.url().toString().replaceAll("/$", ""), o.key());
      probe = PageProbe.install(browser);
      subscriber = subscribe();
      log("filling the page: " + o.warmup().toSeconds() + " s at " + o.rates().getFirst() + " events/s");
      ingest("fill", o.rates().getFirst(), o.warmup().isZero() ? Duration.ofSeconds(5) : o.warmup(), null);
      for (String view : o.views()) {
        show(view);
        phases.add(idle(view));
        for (int rate : o.rates()) {
          phases.add(loaded(view, rate));
        }
      }
    } catch (Exception e) {
      failures.add("the bench stopped early: " + e);
      e.printStackTrace();
    } finally {
      if (subscriber != null) {
        subscriber.close();
      }
      if (browser != null) {
        browser.close();
      }
    }
    return new Run(o, started, chromium, eventBytes, before, phases, failures);
  }

  /** Every agent announces its role and name once, as real agents do on start. */
  private void register(HttpClient client) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(o.url().resolve("/api/v1/events"))
        .header("Authorization", "Bearer " + o.key())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(traffic("register").registrations()))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200 || !r.body().contains("\"rejected\":[]")) {
      throw new IllegalStateException("registering the agents failed: " + r.statusCode() + " " + r.body());
    }
  }

  /** The bench's own subscriber to every event, on a plain socket: the delivery baseline. */
  private RawSubscriber subscribe() throws IOException, InterruptedException {
    CountDownLatch subscribed = new CountDownLatch(1);
    RawSubscriber s = RawSubscriber.connect(o.url(), o.key(), "{}", true, subscribed);
    s.subscribe(null);
    if (!subscribed.await(30, TimeUnit.SECONDS)) {
      s.close();
      throw new IllegalStateException("the bench's subscription was not confirmed within 30 s");
    }
    return s;
  }

  /** Text typed into the Live events view's free-text box for the events-filtered view. */
  static final String FILTER_TEXT = "agent-0";

  private void show(String view) {
    browser.show(view.equals("overview") ? "overview" : "events");
    if (!view.equals("overview")) {
      browser.type(".toolbar input[placeholder='free text']", view.equals("events-filtered") ? FILTER_TEXT : "");
    }
  }

  private Phase idle(String view) throws InterruptedException {
    awaitLive();
    Thread.sleep(SETTLE);
    log(view + ", idle: " + o.idle().toSeconds() + " s");
    probe.start(System.currentTimeMillis());
    Cpu used = measureCpu(o.idle());
    probe.stopFrames();
    PageSample page = probe.finish();
    log("  frame time " + page.frames().text() + " ms");
    return new Phase(view, 0, page, null, 0, Spread.NONE, 0, 0, used);
  }

  private Phase loaded(String view, int rate) throws InterruptedException {
    awaitLive();
    if (!o.warmup().isZero()) {
      ingest(view + "-" + rate + "-warmup", rate, o.warmup(), null);
    }
    log(view + ", " + rate + " events/s: " + o.duration().toSeconds() + " s");
    IdLedger ledger = new IdLedger(runPrefix + "-" + view + "-" + rate);
    long gapsBefore = subscriber.gaps();
    probe.start(System.currentTimeMillis());
    subscriber.measureFrom(System.nanoTime());
    CpuMeter.Sample server0 = cpu.sample();
    long browser0 = CpuMeter.descendantTicks();
    PhaseResult ingest = ingest(view + "-" + rate, rate, o.duration(), ledger);
    probe.stopFrames();
    Cpu used = cpuBetween(server0, browser0);
    long acked = ledger.ackedCount();
    drain(acked);
    PageSample page = probe.finish();
    Histogram delivered = Latency.newMicrosHistogram();
    subscriber.addLatencyTo(delivered);
    Phase phase = new Phase(view, rate, page, ingest, acked, Spread.of(delivered), subscriber.delivered(),
        subscriber.gaps() - gapsBefore, used);
    if (o.screenshots() != null) {
      // After the phase: taking it makes the page draw a frame, which would delay the events timed.
      browser.screenshot(o.screenshots().resolve(view + "-" + rate + ".png"));
    }
    log(String.format("  achieved %,.0f events/s; frame time %s ms; ingest → screen %s ms; raw subscriber %s ms;"
            + " page gaps %d; Chromium %.2f cores", ingest.eventsPerSecond(), page.frames().text(),
        page.delays().text(), phase.subscriber().text(), page.gaps(), used.browser()));
    return phase;
  }

  /** Paced HTTP ingest at {@code rate} for {@code duration}; a fresh id prefix each time. */
  private PhaseResult ingest(String name, int rate, Duration duration, IdLedger ledger) throws InterruptedException {
    IdLedger l = ledger != null ? ledger : new IdLedger(runPrefix + "-" + name);
    return http.run(new HttpIngest.Plan(name, traffic(l.runId()), o.producers(), o.batch(), duration, rate), l);
  }

  private AgentTraffic traffic(String idPrefix) {
    return new AgentTraffic(idPrefix + "-" + (++phaseSeq), runPrefix, o.agents(), o.runs(), o.producers());
  }

  /**
   * Waits until the page and the bench's subscriber have every acked event of the phase, or
   * nothing new arrived for a while (conflated heartbeats never come), or at most a minute.
   */
  private void drain(long acked) throws InterruptedException {
    long start = System.nanoTime();
    long lastTotal = -1;
    long lastProgress = start;
    while (System.nanoTime() - start < DRAIN_MAX.toNanos()) {
      long page = probe.progress();
      long raw = subscriber.delivered();
      if (page >= acked && raw >= acked) {
        return;
      }
      long now = System.nanoTime();
      if (page + raw != lastTotal) {
        lastTotal = page + raw;
        lastProgress = now;
      } else if (now - lastProgress > DRAIN_IDLE.toNanos()) {
        return;
      }
      Thread.sleep(200);
    }
  }

  /** Waits (at most a minute) until the page's connection is live again, e.g. after a gap. */
  private void awaitLive() {
    browser.await(Duration.ofSeconds(60),
        () -> "live".equals(browser.script("return window.agentwatch.connection.getState().status")),
        "the page's connection to be live");
  }

  private Cpu measureCpu(Duration window) throws InterruptedException {
    CpuMeter.Sample server0 = cpu.sample();
    long browser0 = CpuMeter.descendantTicks();
    Thread.sleep(window);
    return cpuBetween(server0, browser0);
  }

  private Cpu cpuBetween(CpuMeter.Sample server0, long browser0) {
    CpuMeter.Sample server1 = cpu.sample();
    long browser1 = CpuMeter.descendantTicks();
    CpuMeter.Share share = CpuMeter.between(server0, server1);
    double seconds = (server1.nanos() - server0.nanos()) / 1e9;
    double browserCores = (browser1 - browser0) / CpuMeter.TICKS_PER_SECOND / seconds;
    return new Cpu(share.serverCores(), Math.max(0, browserCores), share.benchCores(), share.machineBusyFraction());
  }

  private static void log(String line) {
    System.err.println("[browser-bench] " + line);
  }
}
