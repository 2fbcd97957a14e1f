package io.agentwatch.bench;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link LoadBench}, {@code --name value} or {@code --name=value}. Every
 * option but {@code --url} has a default; the key may come from {@code AGENTWATCH_BENCH_KEY} so it
 * stays out of process listings and out of the printed command.
 */
record BenchOptions(
    URI url,
    String key,
    Duration duration,
    Duration warmup,
    int producers,
    int batch,
    int wsSockets,
    int wsWindow,
    int wsBatch,
    int ackBatch,
    double ackShare,
    int subscribers,
    int deliveryBatch,
    double deliveryShare,
    double deliveryRate,
    boolean resubscribeOnGap,
    boolean jdkSubscribers,
    double peak,
    Path baselineDir,
    long serverPid,
    String command,
    String build,
    Set<String> phases,
    List<String> args) {

  static final Set<String> ALL_PHASES = Set.of("sqlite", "http", "ws", "ack", "delivery");

  static final String USAGE = """
      usage: LoadBench --url http://127.0.0.1:PORT [options]   (key: --key K or AGENTWATCH_BENCH_KEY)
        --duration 15s        length of each phase (s, ms or m suffix)
        --warmup 10s          unmeasured HTTP ingest before the phases (0 = none)
        --producers 8         HTTP producers (virtual threads) in every HTTP phase
        --batch 500           events per POST at peak
        --ws-sockets 8 --ws-window 4 --ws-batch 100   WebSocket peak: sockets, publishes in flight, events each
        --ack-share 0.5 --ack-batch 50                ack-latency phase: share of the HTTP peak, events per POST
        --subscribers 100 --delivery-share 0.7 --delivery-batch 50
        --delivery-rate N     pace the delivery phase at N events/s instead of a share of the peak
        --no-resubscribe      a subscriber that gets a gap stays ended (default: subscribes again from it)
        --subscriber-client raw|jdk   raw: lean RFC 6455 reader on a socket (default); jdk: java.net.http.WebSocket
        --peak N              events/s to pace from when the http phase is not run
        --phases sqlite,http,ws,ack,delivery
        --baseline-dir DIR    where the SQLite baseline file goes (default: java.io.tmpdir)
        --server-pid PID      the server's process id, to report its CPU use
        --command TEXT        the command line to print in the report (scripts/bench.sh passes its own)
        --build TEXT          what server build ran (scripts/bench.sh passes the commit and the jar's date)
      """;

  static BenchOptions parse(String[] argv) {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'\n" + USAGE);
      }
      int eq = a.indexOf('=');
      if (eq > 0) {
        o.put(a.substring(2, eq), a.substring(eq + 1));
      } else if (a.equals("--no-resubscribe") || a.equals("--help")) {
        o.put(a.substring(2), "true");
      } else if (i + 1 < argv.length) {
        o.put(a.substring(2), argv[++i]);
      } else {
        throw new IllegalArgumentException("option " + a + " needs a value\n" + USAGE);
      }
    }
    if (o.containsKey("help")) {
      throw new IllegalArgumentException(USAGE);
    }
    String url = take(o, "url", null);
    if (url == null) {
      throw new IllegalArgumentException("--url is required\n" + USAGE);
    }
    String key = take(o, "key", System.getenv("AGENTWATCH_BENCH_KEY"));
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("give the API key with --key or AGENTWATCH_BENCH_KEY\n" + USAGE);
    }
    Set<String> phases = Set.copyOf(List.of(take(o, "phases", String.join(",", List.of(
        "sqlite", "http", "ws", "ack", "delivery"))).split(",")));
    for (String p : phases) {
      if (!ALL_PHASES.contains(p)) {
        throw new IllegalArgumentException("unknown phase '" + p + "'; phases are " + ALL_PHASES);
      }
    }
    List<String> shown = new ArrayList<>();
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      boolean takesNext = !a.contains("=") && !a.equals("--no-resubscribe");
      if (a.startsWith("--command") || a.startsWith("--build")) {
        i += takesNext ? 1 : 0;
      } else if (a.startsWith("--key")) {
        shown.add("--key=…");
        i += takesNext ? 1 : 0;
      } else {
        shown.add(a);
      }
    }
    BenchOptions options = new BenchOptions(
        URI.create(url),
        key,
        duration(take(o, "duration", "15s")),
        duration(take(o, "warmup", "10s")),
        positive(o, "producers", "8"),
        positive(o, "batch", "500"),
        positive(o, "ws-sockets", "8"),
        positive(o, "ws-window", "4"),
        positive(o, "ws-batch", "100"),
        positive(o, "ack-batch", "50"),
        share(o, "ack-share", "0.5"),
        positive(o, "subscribers", "100"),
        positive(o, "delivery-batch", "50"),
        share(o, "delivery-share", "0.7"),
        Double.parseDouble(take(o, "delivery-rate", "0")),
        !Boolean.parseBoolean(take(o, "no-resubscribe", "false")),
        subscriberClient(take(o, "subscriber-client", "raw")),
        Double.parseDouble(take(o, "peak", "0")),
        Path.of(take(o, "baseline-dir", System.getProperty("java.io.tmpdir"))),
        Long.parseLong(take(o, "server-pid", "0")),
        take(o, "command", null),
        take(o, "build", null),
        phases,
        List.copyOf(shown));
    if (!o.isEmpty()) {
      throw new IllegalArgumentException("unknown options " + o.keySet() + "\n" + USAGE);
    }
    if (!phases.contains("http") && options.peak() <= 0 && (phases.contains("ack") || phases.contains("delivery"))) {
      throw new IllegalArgumentException("the ack and delivery phases pace from the HTTP peak: run the http phase "
          + "or give --peak");
    }
    return options;
  }

  private static boolean subscriberClient(String name) {
    return switch (name) {
      case "raw" -> false;
      case "jdk" -> true;
      default -> throw new IllegalArgumentException("--subscriber-client must be raw or jdk but was '" + name + "'");
    };
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

  private static double share(Map<String, String> o, String name, String absent) {
    double v = Double.parseDouble(take(o, name, absent));
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException("--" + name + " must be in (0, 1] but was " + v);
    }
    return v;
  }

  static Duration duration(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    }
    if (t.endsWith("m")) {
      return Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
    }
    return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
  }
}
