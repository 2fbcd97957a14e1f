package io.agentwatch.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link FanoutBench}, {@code --name value} or {@code --name=value}; the key
 * may come from {@code AGENTWATCH_BENCH_KEY}. {@code --smoke} shrinks every scenario to a few
 * seconds and a few dozen connections, so CI runs the whole bench and it cannot rot.
 */
record FanoutOptions(
    URI url,
    String key,
    long serverPid,
    List<String> scenarios,
    Duration duration,
    Duration warmup,
    int subscribers,
    double rate,
    boolean saturate,
    int selectiveSubscribers,
    int selectiveRuns,
    double selectiveRate,
    int slowNormal,
    double slowRate,
    int idleConnections,
    int heartbeatSeconds,
    String command,
    String build) {

  static final List<String> ALL = List.of("broad-ws", "broad-ws-batch", "broad-sse", "selective", "slow", "idle");

  static final String USAGE = """
      usage: FanoutBench --url http://127.0.0.1:PORT [options]   (key: --key K or AGENTWATCH_BENCH_KEY)
        --scenarios broad-ws,broad-ws-batch,broad-sse,selective,slow,idle
        --duration 20s --warmup 5s      measured window and unmeasured warm-up of each scenario
        --subscribers 1000 --rate 200   broad fan-out: subscribers, events/s
        --saturate                      broad fan-out also unpaced, against the baseline unpaced
        --selective 10000 --runs 1000 --selective-rate 5000
        --slow-normal 100 --slow-rate 500
        --idle 10000                    idle connections of each kind
        --heartbeat 15                  the server's SSE heartbeat interval, seconds
        --server-pid PID                the server's process id (CPU and memory)
        --smoke                         a few seconds and a few dozen connections per scenario
      """;

  static FanoutOptions parse(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + a + "\n" + USAGE);
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (name.equals("smoke") || name.equals("saturate")) {
        value = "true";
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value\n" + USAGE);
      }
      given.put(name, value);
    }
    boolean smoke = Boolean.parseBoolean(given.remove("smoke"));
    String url = given.remove("url");
    if (url == null) {
      throw new IllegalArgumentException("--url is required\n" + USAGE);
    }
    String key = given.containsKey("key") ? given.remove("key") : System.getenv("AGENTWATCH_BENCH_KEY");
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("a key is required: --key or AGENTWATCH_BENCH_KEY\n" + USAGE);
    }
    String scenarios = given.remove("scenarios");
    List<String> list = scenarios == null ? ALL : List.of(scenarios.split(","));
    for (String s : list) {
      if (!ALL.contains(s)) {
        throw new IllegalArgumentException("unknown scenario " + s + "; known: " + ALL);
      }
    }
    FanoutOptions o = new FanoutOptions(URI.create(url), key, Long.parseLong(given.getOrDefault("server-pid", "0")),
        new ArrayList<>(list),
        duration(given.getOrDefault("duration", smoke ? "3s" : "20s")),
        duration(given.getOrDefault("warmup", smoke ? "1s" : "5s")),
        Integer.parseInt(given.getOrDefault("subscribers", smoke ? "40" : "1000")),
        Double.parseDouble(given.getOrDefault("rate", "200")),
        Boolean.parseBoolean(given.getOrDefault("saturate", "false")),
        Integer.parseInt(given.getOrDefault("selective", smoke ? "200" : "10000")),
        Integer.parseInt(given.getOrDefault("runs", smoke ? "20" : "1000")),
        Double.parseDouble(given.getOrDefault("selective-rate", smoke ? "500" : "5000")),
        Integer.parseInt(given.getOrDefault("slow-normal", smoke ? "10" : "100")),
        Double.parseDouble(given.getOrDefault("slow-rate", smoke ? "100" : "500")),
        Integer.parseInt(given.getOrDefault("idle", smoke ? "100" : "10000")),
        Integer.parseInt(given.getOrDefault("heartbeat", "15")),
        given.remove("command"), given.remove("build"));
    for (String known : List.of("server-pid", "duration", "warmup", "subscribers", "rate", "saturate", "selective",
        "runs", "selective-rate", "slow-normal", "slow-rate", "idle", "heartbeat")) {
      given.remove(known);
    }
    if (!given.isEmpty()) {
      throw new IllegalArgumentException("unknown options " + given.keySet() + "\n" + USAGE);
    }
    return o;
  }

  private static Duration duration(String text) {
    String t = text.trim();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
    }
    if (t.endsWith("m")) {
      return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
    }
    return Duration.ofSeconds(Long.parseLong(t));
  }
}
