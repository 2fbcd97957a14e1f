package io.agentwatch.bench;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The Markdown section a run prints: machine, command, results table, CPU use, history check. */
final class Report {

  private Report() {}

  static String markdown(BenchRun run) {
    BenchOptions o = run.options;
    StringBuilder md = new StringBuilder();
    md.append("## Load benchmark, ")
        .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(run.started.atOffset(ZoneOffset.UTC)))
        .append("\n\n");
    md.append("- Machine: ").append(Machine.describe()).append('\n');
    md.append("- Server and bench client on the same machine, over loopback: they share its CPUs.\n");
    if (o.command() != null) {
      md.append("- Command: `").append(o.command()).append("`\n");
    }
    if (o.build() != null) {
      md.append("- Server build: ").append(o.build()).append('\n');
    }
    md.append("- LoadBench arguments: `").append(String.join(" ", o.args())).append("`\n");
    md.append("- Events: `log`, ").append(run.eventBytes).append(" bytes serialized each; phases of ")
        .append(seconds(o.duration().toMillis() / 1000.0)).append(" s after ")
        .append(seconds(o.warmup().toMillis() / 1000.0)).append(" s of unmeasured HTTP ingest; ratio = "
            + "Agentwatch ÷ baseline.\n\n");
    table(md, run);
    cpu(md, run);
    history(md, run);
    if (!run.failures.isEmpty()) {
      md.append("\n**Problems:**\n\n");
      run.failures.forEach(f -> md.append("- ").append(f).append('\n'));
    }
    return md.toString();
  }

  private static void table(StringBuilder md, BenchRun run) {
    BenchOptions o = run.options;
    SqliteBaseline.Result b = run.baseline;
    String baseRate = b == null ? "—" : rate(b.rowsPerSecond()) + " rows/s (raw SQLite, " + count(b.rowsPerTransaction())
        + " rows/txn)";
    md.append("| metric | Agentwatch | baseline | ratio |\n|---|---|---|---|\n");
    if (run.httpPeak != null) {
      PhaseResult p = run.httpPeak;
      row(md, "durable ingest, HTTP: " + o.producers() + " producers × " + o.batch() + "-event POSTs (events/s)",
          rate(p.eventsPerSecond()), baseRate, b == null ? "—" : ratio(p.eventsPerSecond() / b.rowsPerSecond()));
      row(md, "HTTP ack latency at peak, per " + o.batch() + "-event POST, p50 / p99 / max (ms)",
          p.ackLatency().text(), b == null ? "—" : count(b.rowsPerTransaction()) + "-row commit: " + b.bigCommits().text(),
          b == null ? "—" : "p99 " + ratio(p.ackLatency().p99Ms() / b.bigCommits().p99Ms()));
    }
    if (run.wsPeak != null) {
      PhaseResult p = run.wsPeak;
      row(md, "durable ingest, WebSocket: " + o.wsSockets() + " sockets × " + o.wsWindow() + " in flight × "
              + o.wsBatch() + " events (events/s)",
          rate(p.eventsPerSecond()), baseRate, b == null ? "—" : ratio(p.eventsPerSecond() / b.rowsPerSecond()));
      row(md, "WebSocket ack latency at peak, per " + o.wsBatch() + "-event publish, p50 / p99 / max (ms)",
          p.ackLatency().text(), "—", "—");
    }
    if (run.ack != null) {
      PhaseResult p = run.ack;
      row(md, "ack latency below saturation: " + pct(o.ackShare()) + " of HTTP peak = " + rate(p.targetRate())
              + " events/s in " + o.ackBatch() + "-event POSTs (achieved " + rate(p.eventsPerSecond())
              + "), p50 / p99 / max (ms)",
          p.ackLatency().text(),
          b == null ? "—" : b.smallRows() + "-row commit: " + b.smallCommits().text(),
          b == null ? "—" : "p99 " + ratio(p.ackLatency().p99Ms() / b.smallCommits().p99Ms()));
    }
    if (run.delivery != null && run.subscribers != null) {
      PhaseResult p = run.delivery;
      Subscribers.Result s = run.subscribers;
      String target = o.deliveryRate() > 0 ? "fixed rate " : pct(o.deliveryShare()) + " of HTTP peak = ";
      row(md, "delivery latency ingest → subscriber, " + s.subscribers() + " subscribers ("
              + (o.jdkSubscribers() ? "java.net.http.WebSocket" : "raw socket") + " clients), " + target
              + rate(p.targetRate()) + " events/s in " + o.deliveryBatch() + "-event POSTs (achieved "
              + rate(p.eventsPerSecond()) + "), p50 / p99 / max (ms)",
          s.latency().text(), "—", "—");
      row(md, "events delivered per subscriber, min / max (expected " + count(s.expected()) + ")",
          count(s.min()) + " / " + count(s.max()), "—", "—");
      row(md, "gap notices (should be 0)", count(s.gaps()), "—", "—");
      row(md, "ack latency of those producers, p50 / p99 / max (ms)", p.ackLatency().text(), "—", "—");
    }
    if (!run.checks.isEmpty()) {
      long acked = run.checks.stream().mapToLong(IdLedger.Comparison::acked).sum();
      long missing = run.checks.stream().mapToLong(IdLedger.Comparison::missing).sum();
      row(md, "acked events missing from history (must be 0)", count(missing) + " of " + count(acked)
          + (run.historyOk() ? "" : " **MISMATCH**"), "—", "—");
    }
    md.append('\n');
  }

  private static void cpu(StringBuilder md, BenchRun run) {
    List<String[]> rows = new ArrayList<>();
    if (run.baseline != null) {
      rows.add(cpuRow("SQLite baseline (in the bench JVM)", run.baseline.rowsPerSecond(), run.baseline.cpu()));
    }
    if (run.idle != null) {
      rows.add(cpuRow("before the run (nothing sent)", 0, run.idle));
    }
    for (PhaseResult p : new PhaseResult[] {run.warmup, run.httpPeak, run.wsPeak, run.ack, run.delivery}) {
      if (p != null) {
        rows.add(cpuRow(p.name(), p.eventsPerSecond(), p.cpu()));
      }
    }
    md.append("| phase | events/s | server CPU (cores) | bench client CPU (cores) | other processes (cores) "
            + "| machine busy |\n")
        .append("|---|---|---|---|---|---|\n");
    rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
    md.append('\n');
    boolean disturbed = (run.baseline != null && run.baseline.cpu().disturbed())
        || Stream.of(run.warmup, run.httpPeak, run.wsPeak, run.ack, run.delivery)
            .anyMatch(p -> p != null && p.cpu().disturbed());
    if (disturbed) {
      md.append("⚠ = other processes used more than a tenth of the machine during the phase: its numbers are lower "
          + "(and its latencies higher) than the server alone would give; run again on a quiet machine.\n\n");
    }
    threads(md, run);
    List<PhaseResult> failing = new ArrayList<>();
    for (PhaseResult p : new PhaseResult[] {run.warmup, run.httpPeak, run.wsPeak, run.ack, run.delivery}) {
      if (p != null && p.errors() > 0) {
        failing.add(p);
      }
    }
    failing.forEach(p -> md.append("- ").append(p.name()).append(": ").append(p.errors()).append(" failed of ")
        .append(p.requests()).append(" requests; first: `").append(p.firstError()).append("`\n"));
    if (run.subscribers != null && run.subscribers.errors() > 0) {
      md.append("- subscribers: ").append(run.subscribers.errors()).append(" errors; first: `")
          .append(run.subscribers.firstError()).append("`\n");
    }
  }

  /** The server's CPU by thread group: where its cores went in each phase. */
  private static void threads(StringBuilder md, BenchRun run) {
    List<PhaseResult> phases = new ArrayList<>();
    for (PhaseResult p : new PhaseResult[] {run.httpPeak, run.wsPeak, run.ack, run.delivery}) {
      if (p != null && !p.cpu().serverThreadCores().isEmpty()) {
        phases.add(p);
      }
    }
    if (phases.isEmpty()) {
      return;
    }
    md.append("Server CPU by thread (cores):\n\n| phase | ")
        .append(String.join(" | ", CpuMeter.THREAD_GROUPS)).append(" |\n|---|")
        .append("---|".repeat(CpuMeter.THREAD_GROUPS.size())).append('\n');
    for (PhaseResult p : phases) {
      md.append("| ").append(p.name());
      for (String g : CpuMeter.THREAD_GROUPS) {
        md.append(" | ").append(cores(p.cpu().serverThreadCores().getOrDefault(g, Double.NaN)));
      }
      md.append(" |\n");
    }
    md.append('\n');
  }

  private static String[] cpuRow(String name, double rate, CpuMeter.Share cpu) {
    return new String[] {name, rate(rate), cores(cpu.serverCores()), cores(cpu.benchCores()),
        cores(cpu.otherCores()) + (cpu.disturbed() ? " ⚠" : ""), pct(cpu.machineBusyFraction())};
  }

  private static void history(StringBuilder md, BenchRun run) {
    if (run.checks.isEmpty()) {
      return;
    }
    md.append("\nHistory check (`GET /api/v1/events?runId=…`, every page):\n\n")
        .append("| run | acked | in history | acked but missing | stored, not acked | duplicates | result |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (IdLedger.Comparison c : run.checks) {
      md.append("| ").append(c.runId()).append(" | ").append(count(c.acked())).append(" | ").append(count(c.found()))
          .append(" | ").append(count(c.missing())).append(" | ").append(count(c.unacked())).append(" | ")
          .append(count(c.duplicates() + c.foreign())).append(" | ").append(c.ok() ? "ok" : "**MISMATCH**")
          .append(" |\n");
    }
  }

  private static void row(StringBuilder md, String metric, String value, String baseline, String ratio) {
    md.append("| ").append(metric).append(" | ").append(value).append(" | ").append(baseline).append(" | ")
        .append(ratio).append(" |\n");
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  static String ms(double ms) {
    if (Double.isNaN(ms)) {
      return "—";
    }
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%,.0f", ms);
  }

  private static String ratio(double r) {
    return Double.isNaN(r) || Double.isInfinite(r) ? "—" : String.format(Locale.ROOT, "%.2f×", r);
  }

  private static String pct(double fraction) {
    return Double.isNaN(fraction) ? "—" : String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }

  static String cores(double cores) {
    return Double.isNaN(cores) ? "—" : String.format(Locale.ROOT, "%.2f", cores);
  }

  private static String seconds(double s) {
    return String.format(Locale.ROOT, s == Math.rint(s) ? "%.0f" : "%.1f", s);
  }
}
