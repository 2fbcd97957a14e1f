package io.agentwatch.cli;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.ClientStats;
import io.agentwatch.client.sim.Simulation;
import io.agentwatch.client.sim.Team;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code agentwatch simulate}: manager/worker teams streaming through the SDK, for a demo or as
 * load. Each agent has its own client and connection and obeys commands; at the end every client
 * flushes, and the totals are printed.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Drive simulated manager/worker agents through the SDK (demo traffic or load).")
final class SimulateCommand implements Runnable {

  @ParentCommand
  AgentwatchCli parent;

  @Spec
  CommandSpec spec;

  @Option(names = "--agents", defaultValue = "4", paramLabel = "N",
      description = "Agents in teams of a manager and up to three workers (default ${DEFAULT-VALUE}).")
  int agents;

  @Option(names = "--rate", defaultValue = "100", paramLabel = "R",
      description = "Events per second of all agents together at most; 0 = as fast as they go (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "30s", paramLabel = "D", converter = DurationConverter.class,
      description = "How long to run: 500ms, 30s, 5m, 1h (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--pace", defaultValue = "0", paramLabel = "P",
      description = "Think time: 1 = the demo's watchable pace, 0 = none (default ${DEFAULT-VALUE}).")
  double pace;

  @Option(names = "--sign-off", description = "Agents announce offline at the end of each run and register again"
      + " when they next work, as agents that live for one run do.")
  boolean signOff;

  @Option(names = "--prefix", defaultValue = "sim", paramLabel = "NAME",
      description = "Start of agent and run ids (default ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--seed", paramLabel = "SEED", description = "Seed of the agents' random choices.")
  Long seed;

  @Override
  public void run() {
    if (agents < 2 || agents > 10_000) {
      throw new CliException("--agents must be 2..10000 but was " + agents);
    }
    if (rate < 0 || pace < 0) {
      throw new CliException("--rate and --pace must be >= 0 but were " + rate + " and " + pace);
    }
    if (!prefix.matches("[A-Za-z0-9_-]{1,40}")) {
      throw new CliException("--prefix must be 1-40 letters, digits, _ or - but was '" + prefix + "'");
    }
    PrintWriter out = spec.commandLine().getOut();
    Simulation.Options options = new Simulation.Options(Team.of(prefix, agents), prefix, pace, rate,
        seed != null ? seed : System.nanoTime(), signOff);
    try (Api api = parent.api()) {
      out.printf("simulating %d agents in %d teams against %s for %s%n", agents, options.teams().size(), api.root(),
          human(duration));
      out.flush();
      long started = System.nanoTime();
      Simulation simulation = Simulation.start(options, agentId -> AgentwatchClient.builder(api.root())
          .apiKey(api.key()).httpClient(api.http()));
      boolean flushed;
      try {
        long deadline = started + duration.toNanos();
        while (System.nanoTime() < deadline) {
          Thread.sleep(Math.min(5_000, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
          if (System.nanoTime() < deadline) {
            report(out, "so far", simulation.stats().values(), started);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        flushed = simulation.stop(Duration.ofSeconds(30));
      }
      Collection<ClientStats> stats = simulation.stats().values();
      report(out, "done", stats, started);
      if (!flushed) {
        throw new CliException(stats.stream().mapToLong(ClientStats::buffered).sum()
            + " events could not be sent before the clients closed; is the server reachable with this key?");
      }
    }
  }

  private static void report(PrintWriter out, String when, Collection<ClientStats> stats, long started) {
    long emitted = stats.stream().mapToLong(ClientStats::emitted).sum();
    long acked = stats.stream().mapToLong(ClientStats::acked).sum();
    long rejected = stats.stream().mapToLong(ClientStats::rejected).sum();
    long buffered = stats.stream().mapToLong(ClientStats::buffered).sum();
    Map<String, Long> dropped = new TreeMap<>();
    stats.forEach(s -> s.droppedByType().forEach((type, n) -> dropped.merge(type, n, Long::sum)));
    double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
    out.printf(Locale.ROOT, "%s: %d emitted, %d stored (%.1f/s), %d buffered, %d rejected, dropped %s%n", when,
        emitted, acked, acked / seconds, buffered, rejected, dropped.isEmpty() ? "none" : dropped);
    out.flush();
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT30S}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      var m = java.util.regex.Pattern.compile("(\\d{1,9})(ms|s|m|h)").matcher(value.trim());
      Duration d;
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        d = switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      } else {
        try {
          d = Duration.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
          throw new CommandLine.TypeConversionException("'" + value + "' is not a duration like 30s, 5m or 1h");
        }
      }
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException("a duration must be positive but was '" + value + "'");
      }
      return d;
    }
  }
}
