package io.agentwatch.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link BrowserBench}, {@code --name value} or {@code --name=value}; the key
 * may come from {@code AGENTWATCH_BENCH_KEY}, so it stays out of process listings and reports.
 */
record BrowserOptions(
    URI url,
    String key,
    List<Integer> rates,
    List<String> views,
    Duration duration,
    Duration warmup,
    Duration idle,
    int agents,
    int runs,
    int producers,
    int batch,
    Path chromium,
    Path chromedriver,
    Path profileDir,
    Path screenshots,
    long serverPid,
    String command,
    String build,
    List<String> args) {

  /** Views that can be measured; events-filtered is the Live events view with a free-text filter typed in. */
  static final List<String> ALL_VIEWS = List.of("overview", "events", "events-filtered");
  static final List<String> DEFAULT_VIEWS = List.of("overview", "events");

  static final String USAGE = """
      usage: BrowserBench --url http://127.0.0.1:PORT [options]   (key: --key K or AGENTWATCH_BENCH_KEY)
        --rates 2000,10000    incoming events/s, one loaded phase per rate and view
        --views overview,events   dashboard views to measure: overview, events (Live events), events-filtered
                              (Live events with the free-text filter "agent-0")
        --duration 20s        length of each measured phase (s, ms or m suffix)
        --warmup 5s           unmeasured ingest at the phase's rate before it
        --idle 10s            the same view with no load: the frame-time baseline
        --agents 50 --runs 5  the agents sending, and the runs they are in
        --producers 10 --batch 50   HTTP producers (each speaks for agents/producers agents), events per POST
        --chromium /usr/bin/chromium --chromedriver /usr/bin/chromedriver
        --profile-dir DIR     a fresh Chromium profile folder (default: a new temporary one)
        --screenshots DIR     a screenshot of each view after each loaded phase goes here (default: none)
        --server-pid PID      the server's process id, to report its CPU use
        --command TEXT        the command line to print in the report
        --build TEXT          what server build ran
      """;

  static BrowserOptions parse(String[] argv) {
    Map<String, String> o = new LinkedHashMap<>();
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (a.equals("--help")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
      }
      int eq = a.indexOf('=');
      String name = eq > 0 ? a.substring(2, eq) : a.substring(2);
      String value;
      if (eq > 0) {
        value = a.substring(eq + 1);
      } else if (i + 1 < argv.length) {
        value = argv[++i];
      } else {
        throw new IllegalArgumentException("option " + a + " needs a value\n" + USAGE);
      }
      o.put(name, value);
      if (name.equals("key")) {
        shown.add("--key=…");
      } else if (!name.equals("command") && !name.equals("build")) {
        shown.add("--" + name + "=" + value);
      }
    }
    String url = take(o, "url", null);
    if (url == null) {
      throw new IllegalArgumentException("--url is required\n" + USAGE);
    }
    String key = take(o, "key", System.getenv("AGENTWATCH_BENCH_KEY"));
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("give the API key with --key or AGENTWATCH_BENCH_KEY\n" + USAGE);
    }
    List<Integer> rates = new ArrayList<>();
    for (String r : take(o, "rates", "2000,10000").split(",")) {
      int rate = Integer.parseInt(r.trim());
      if (rate < 1) {
        throw new IllegalArgumentException("--rates must be positive events/s but had " + rate);
      }
      rates.add(rate);
    }
    List<String> views = List.of(take(o, "views", String.join(",", DEFAULT_VIEWS)).split(","));
    for (String v : views) {
      if (!ALL_VIEWS.contains(v)) {
        throw new IllegalArgumentException("unknown view '" + v + "'; views are " + ALL_VIEWS);
      }
    }
    String profile = take(o, "profile-dir", null);
    String screenshots = take(o, "screenshots", null);
    BrowserOptions options = new BrowserOptions(
        URI.create(url),
        key,
        List.copyOf(rates),
        views,
        positive(BenchOptions.duration(take(o, "duration", "20s")), "duration"),
        BenchOptions.duration(take(o, "warmup", "5s")),
        positive(BenchOptions.duration(take(o, "idle", "10s")), "idle"),
        positive(o, "agents", "50"),
        positive(o, "runs", "5"),
        positive(o, "producers", "10"),
        positive(o, "batch", "50"),
        Path.of(take(o, "chromium", "/usr/bin/chromium")),
        Path.of(take(o, "chromedriver", "/usr/bin/chromedriver")),
        profile == null ? null : Path.of(profile),
        screenshots == null ? null : Path.of(screenshots),
        Long.parseLong(take(o, "server-pid", "0")),
        take(o, "command", null),
        take(o, "build", null),
        List.copyOf(shown));
    if (!o.isEmpty()) {
      throw new IllegalArgumentException("unknown options " + o.keySet() + "\n" + USAGE);
    }
    // Fails early, with the reason, on agents, runs and producers that do not fit together.
    new AgentTraffic("check", "check", options.agents(), options.runs(), options.producers());
    return options;
  }

  private static String take(Map<String, String> o, String name, String absent) {
    String v = o.remove(name);
    return v == null ? absent : v;
  }

  private static int positive(Map<String, String> o, String name, String absent) {
    int v = Integer.parseInt(take(o, name, absent));
    if (v < 1) {
      throw new IllegalArgumentException("--" + name + " must be at least 1 but was " + v);
    }
    return v;
  }

  private static Duration positive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("--" + name + " must be longer than 0 but was " + d);
    }
    return d;
  }
}
