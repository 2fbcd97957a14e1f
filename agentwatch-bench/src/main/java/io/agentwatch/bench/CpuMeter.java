package io.agentwatch.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of the server process (also per group of its threads), of this (client) process and of
 * the whole machine, from {@code /proc}, so each phase reports who used the cores. Linux only;
 * elsewhere the shares are unknown (NaN).
 */
final class CpuMeter {

  /** USER_HZ: the unit of /proc times, 100 on every Linux architecture Java runs on. */
  static final double TICKS_PER_SECOND = 100.0;

  /** The server's thread groups, in report order; names are /proc comm (15 chars at most). */
  static final List<String> THREAD_GROUPS = List.of(
      "virtual-thread carriers", "SQLite writer", "log notifier", "projections", "fan-out", "Jetty", "GC", "JIT", "other");

  /** A reading; ticks are -1 when unknown. */
  record Sample(long nanos, long serverTicks, Map<String, Long> serverThreadTicks, long benchTicks,
                long machineBusyTicks, long machineTicks) {}

  /** Cores used on average between two samples (2.0 = both cores of a 2-core machine busy). */
  record Share(double serverCores, Map<String, Double> serverThreadCores, double benchCores,
               double machineBusyFraction) {

    static final Share UNKNOWN = new Share(Double.NaN, Map.of(), Double.NaN, Double.NaN);

    /** Others used more than a tenth of the machine: the phase's numbers are not the server's alone. */
    boolean disturbed() {
      return otherCores() > 0.1 * Runtime.getRuntime().availableProcessors();
    }

    /** Cores busy with neither the server nor the bench: other processes and the kernel's own work. */
    double otherCores() {
      return machineBusyFraction * Runtime.getRuntime().availableProcessors() - serverCores
          - (Double.isNaN(benchCores) ? 0 : benchCores);
    }
  }

  private final long serverPid;

  /** @param serverPid the server's process id, or 0 when unknown */
  CpuMeter(long serverPid) {
    this.serverPid = serverPid;
  }

  Sample sample() {
    long[] machine = machineTicks();
    String pid = Long.toString(serverPid);
    return new Sample(System.nanoTime(), serverPid > 0 ? ticks(Path.of("/proc", pid, "stat")) : -1,
        serverPid > 0 ? threadTicks(Path.of("/proc", pid, "task")) : Map.of(),
        ticks(Path.of("/proc/self/stat")), machine[0], machine[1]);
  }

  static Share between(Sample a, Sample b) {
    double seconds = (b.nanos() - a.nanos()) / 1e9;
    if (seconds <= 0) {
      return Share.UNKNOWN;
    }
    double server = a.serverTicks() < 0 || b.serverTicks() < 0 ? Double.NaN
        : (b.serverTicks() - a.serverTicks()) / TICKS_PER_SECOND / seconds;
    Map<String, Double> threads = new LinkedHashMap<>();
    for (String group : THREAD_GROUPS) {
      // A thread that ended between the samples is missing from the later one; never negative.
      long delta = b.serverThreadTicks().getOrDefault(group, 0L) - a.serverThreadTicks().getOrDefault(group, 0L);
      threads.put(group, Math.max(0, delta) / TICKS_PER_SECOND / seconds);
    }
    double bench = a.benchTicks() < 0 || b.benchTicks() < 0 ? Double.NaN
        : (b.benchTicks() - a.benchTicks()) / TICKS_PER_SECOND / seconds;
    long total = b.machineTicks() - a.machineTicks();
    double busy = a.machineTicks() < 0 || total <= 0 ? Double.NaN
        : (double) (b.machineBusyTicks() - a.machineBusyTicks()) / total;
    return new Share(server, threads, bench, busy);
  }

  /**
   * CPU ticks of this process's descendants (a browser the bench started, with its helper
   * processes); the ticks of those that already ended are not counted.
   */
  static long descendantTicks() {
    return ProcessHandle.current().descendants()
        .mapToLong(p -> Math.max(0, ticks(Path.of("/proc", Long.toString(p.pid()), "stat"))))
        .sum();
  }

  /** utime + stime of a process or thread (fields 14 and 15 of its stat file), -1 when unknown. */
  private static long ticks(Path stat) {
    try {
      String text = Files.readString(stat);
      String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
      // f[0] is field 3 (state), so field n is f[n - 3].
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static Map<String, Long> threadTicks(Path tasks) {
    Map<String, Long> groups = new TreeMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
      for (Path task : dirs) {
        long t = ticks(task.resolve("stat"));
        if (t >= 0) {
          String comm = Files.readString(task.resolve("comm")).trim();
          groups.merge(group(comm), t, Long::sum);
        }
      }
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    return groups;
  }

  private static String group(String comm) {
    if (comm.startsWith("ForkJoinPool")) {
      return "virtual-thread carriers";
    }
    if (comm.startsWith("sqlite-log-writ")) {
      return "SQLite writer";
    }
    if (comm.startsWith("sqlite-log-noti")) {
      return "log notifier";
    }
    if (comm.startsWith("projection")) {
      return "projections";
    }
    if (comm.startsWith("fanout-")) {
      return "fan-out";
    }
    if (comm.startsWith("qtp") || comm.startsWith("jetty")) {
      return "Jetty";
    }
    if (comm.startsWith("GC ") || comm.startsWith("G1 ")) {
      return "GC";
    }
    if (comm.contains("CompilerThre")) {
      return "JIT";
    }
    return "other";
  }

  /** {busy, total} ticks of all CPUs; idle and iowait count as not busy. */
  private static long[] machineTicks() {
    try {
      String first = Files.readAllLines(Path.of("/proc/stat")).getFirst();
      String[] f = first.trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }
}
