package io.agentwatch.bench;

import static io.agentwatch.bench.Report.count;
import static io.agentwatch.bench.Report.ms;
import static io.agentwatch.bench.Report.rate;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The Markdown section a {@link BrowserBench} run prints. */
final class BrowserReport {

  private BrowserReport() {}

  static String markdown(BrowserBench.Run run) {
    BrowserOptions o = run.options();
    StringBuilder md = new StringBuilder();
    md.append("## Browser benchmark, ")
        .append(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(run.started().atOffset(ZoneOffset.UTC)))
        .append("\n\n");
    md.append("- Machine: ").append(Machine.describe()).append('\n');
    md.append("- Browser: Chromium ").append(run.chromium()).append(", headless, software rendering (`--disable-gpu`), ")
        .append(HeadlessChromium.WIDTH).append('×').append(HeadlessChromium.HEIGHT)
        .append(" window, signed in with the key. Server, browser and bench client share the machine's CPUs, "
            + "over loopback.\n");
    if (o.command() != null) {
      md.append("- Command: `").append(o.command()).append("`\n");
    }
    if (o.build() != null) {
      md.append("- Server build: ").append(o.build()).append('\n');
    }
    md.append("- BrowserBench arguments: `").append(String.join(" ", o.args())).append("`\n");
    md.append("- Load: ").append(o.agents()).append(" agents in ").append(o.runs())
        .append(" runs, each going through ten event types in turn (task created, started, progress, completed "
            + "or failed; tool call and result; model call; heartbeat; message; log), about ")
        .append(run.eventBytes()).append(" bytes each, POSTed to `/api/v1/events` by ").append(o.producers())
        .append(" producers in ").append(o.batch()).append("-event batches paced to the rate. Each loaded phase lasts ")
        .append(o.duration().toSeconds()).append(" s after ").append(o.warmup().toSeconds())
        .append(" s unmeasured at the same rate; the idle phase ").append(o.idle().toSeconds()).append(" s.\n");
    md.append("- Frame time: between consecutive animation frames of the page (16.7 ms = 60 frames/s). Ingest → "
        + "screen: from the producer's send time to the end of the painted frame that first showed the event. "
        + "Ratios: frame time ÷ the same view idle; ingest → screen ÷ the bench's own WebSocket subscriber "
        + "(plain socket, in the bench JVM) receiving the same events.\n\n");
    headline(md, run.phases());
    details(md, run.phases());
    cpu(md, run);
    checks(md, run.phases());
    if (!run.failures().isEmpty()) {
      md.append("\n**Problems:**\n\n");
      run.failures().forEach(f -> md.append("- ").append(f).append('\n'));
    }
    return md.toString();
  }

  private static void headline(StringBuilder md, List<BrowserBench.Phase> phases) {
    md.append("| view | incoming events/s: target (achieved) | frame time p95 (ms) | ÷ idle | ingest → screen p95 (ms) "
            + "| ÷ raw subscriber | page stayed live |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (BrowserBench.Phase p : phases) {
      Optional<BrowserBench.Phase> idle = idleOf(phases, p.view());
      md.append("| ").append(viewName(p.view())).append(" | ").append(load(p)).append(" | ")
          .append(ms(p.page().frames().p95Ms())).append(" | ")
          .append(idle.map(i -> ratio(p.page().frames().p95Ms() / i.page().frames().p95Ms())).orElse("—")).append(" | ")
          .append(p.idle() ? "—" : ms(p.page().delays().p95Ms())).append(" | ")
          .append(p.idle() ? "—" : ratio(p.page().delays().p95Ms() / p.subscriber().p95Ms())).append(" | ")
          .append(live(p.page())).append(" |\n");
    }
    md.append('\n');
  }

  private static void details(StringBuilder md, List<BrowserBench.Phase> phases) {
    md.append("Details (p50 / p95 / p99 / max):\n\n")
        .append("| view | load | frame time (ms) | long tasks: count, share of the time | ingest → screen (ms) "
            + "| ingest → raw subscriber (ms) | events acked / on the page / at the raw subscriber "
            + "| page: gaps, evicted unseen, not live (s) | producers' ack p50 / p99 / max (ms) |\n")
        .append("|---|---|---|---|---|---|---|---|---|\n");
    for (BrowserBench.Phase p : phases) {
      PageSample page = p.page();
      md.append("| ").append(viewName(p.view())).append(" | ").append(load(p)).append(" | ")
          .append(page.frames().text()).append(" | ")
          .append(page.longTasks() < 0 ? "not reported" : count(page.longTasks()) + ", " + pct(page.longTaskShare()))
          .append(" | ");
      if (p.idle()) {
        md.append("— | — | — | ").append(page.gaps()).append(", —, ").append(seconds(page.notLiveMs()))
            .append(" | — |\n");
        continue;
      }
      md.append(page.delays().text()).append(" | ").append(p.subscriber().text()).append(" | ")
          .append(count(p.acked())).append(" / ").append(count(page.received())).append(" / ")
          .append(count(p.subscriberReceived())).append(" | ")
          .append(page.gaps()).append(", ").append(count(page.evictedUnseen())).append(", ")
          .append(seconds(page.notLiveMs())).append(" | ")
          .append(p.ingest().ackLatency().text()).append(" |\n");
    }
    md.append('\n');
  }

  private static void cpu(StringBuilder md, BrowserBench.Run run) {
    md.append("CPU during each phase's load (cores; the machine has ")
        .append(Runtime.getRuntime().availableProcessors()).append("):\n\n")
        .append("| view | load | server | Chromium (all its processes) | bench client | other processes | machine busy |\n")
        .append("|---|---|---|---|---|---|---|\n");
    if (run.before() != null) {
      cpuRow(md, "—", "before the run (nothing sent, no browser)", run.before());
    }
    boolean disturbed = false;
    for (BrowserBench.Phase p : run.phases()) {
      disturbed |= cpuRow(md, viewName(p.view()), load(p), p.cpu());
    }
    md.append('\n');
    if (disturbed) {
      md.append("⚠ = other processes used more than a tenth of the machine during the phase: its timings are longer "
          + "than the dashboard alone would give; run again on a quiet machine.\n\n");
    }
  }

  /** Answers whether other processes disturbed the phase. */
  private static boolean cpuRow(StringBuilder md, String view, String load, BrowserBench.Cpu c) {
    boolean disturbed = c.others() > 0.1 * Runtime.getRuntime().availableProcessors();
    md.append("| ").append(view).append(" | ").append(load).append(" | ").append(cores(c.server())).append(" | ")
        .append(cores(c.browser())).append(" | ").append(cores(c.bench())).append(" | ")
        .append(cores(c.others())).append(disturbed ? " ⚠" : "").append(" | ")
        .append(pct(c.machineBusy())).append(" |\n");
    return disturbed;
  }

  /** What would make a phase's numbers mean less than they seem, said plainly. */
  private static void checks(StringBuilder md, List<BrowserBench.Phase> phases) {
    for (BrowserBench.Phase p : phases) {
      String name = viewName(p.view()) + ", " + load(p);
      PageSample page = p.page();
      if (p.ingest() != null && p.ingest().errors() > 0) {
        md.append("- ").append(name).append(": ").append(p.ingest().errors()).append(" of ")
            .append(p.ingest().requests()).append(" POSTs failed; first: `").append(p.ingest().firstError()).append("`\n");
      }
      if (!"visible".equals(page.visibility())) {
        md.append("- ").append(name).append(": the page was ").append(page.visibility())
            .append(", so the browser may have throttled its frames\n");
      }
      if (page.untimed() > 0) {
        md.append("- ").append(name).append(": ").append(count(page.untimed()))
            .append(" events without a send time (not the bench's) reached the page\n");
      }
      if (page.waiting() > 0) {
        md.append("- ").append(name).append(": ").append(count(page.waiting()))
            .append(" events were applied but not yet painted when the phase closed\n");
      }
    }
  }

  private static Optional<BrowserBench.Phase> idleOf(List<BrowserBench.Phase> phases, String view) {
    return phases.stream().filter(p -> p.idle() && p.view().equals(view)).findFirst();
  }

  static String viewName(String view) {
    return switch (view) {
      case "overview" -> "Overview";
      case "events" -> "Live events";
      case "events-filtered" -> "Live events, free-text filter \"" + BrowserBench.FILTER_TEXT + "\"";
      default -> view;
    };
  }

  private static String load(BrowserBench.Phase p) {
    return p.idle() ? "idle" : rate(p.rate()) + " (" + rate(p.ingest().eventsPerSecond()) + ")";
  }

  private static String live(PageSample page) {
    if (page.stayedLive()) {
      return "yes";
    }
    return "no: " + String.join(" → ", page.statuses()) + (page.statuses().getLast().equals(page.statusAtEnd())
        ? "" : " → " + page.statusAtEnd()) + ", " + page.gaps() + " gap(s)";
  }

  private static String ratio(double r) {
    return Double.isNaN(r) || Double.isInfinite(r) ? "—" : String.format(Locale.ROOT, "%.2f×", r);
  }

  private static String pct(double fraction) {
    return Double.isNaN(fraction) ? "—" : String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }

  private static String cores(double c) {
    return Double.isNaN(c) ? "—" : String.format(Locale.ROOT, "%.2f", c);
  }

  private static String seconds(double millis) {
    return String.format(Locale.ROOT, "%.1f", millis / 1000);
  }
}
