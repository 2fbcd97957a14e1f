package io.agentwatch.cli;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code agentwatch replay}: prints a run's stored events in log order, paging through history. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Print a run's stored events in order, from a point in time.")
final class ReplayCommand implements Runnable {

  private static final int PAGE = 1000;

  @ParentCommand
  AgentwatchCli parent;

  @Spec
  CommandSpec spec;

  @Option(names = "--run", required = true, paramLabel = "RUN", description = "The run to replay.")
  String runId;

  @Option(names = "--from", paramLabel = "TIME",
      description = "Start at this producer time (RFC 3339, e.g. 2026-11-28T16:00:00Z); default: the run's start.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "Stop at this producer time (RFC 3339).")
  String to;

  @Option(names = "--agent", paramLabel = "AGENT", description = "Only events of this agent.")
  String agentId;

  @Option(names = "--type", paramLabel = "TYPE", description = "Only events of this type; repeatable, task.* style prefixes.")
  List<String> types;

  @Option(names = "--json", description = "Print each event as its JSON (NDJSON).")
  boolean json;

  @Override
  public void run() {
    requireTime("--from", from);
    requireTime("--to", to);
    EventLines lines = new EventLines(spec.commandLine().getOut(), json);
    long count = 0;
    try (Api api = parent.api()) {
      String after = null;
      do {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("runId", runId);
        params.put("agentId", agentId);
        params.put("type", types);
        params.put("from", from);
        params.put("to", to);
        params.put("after", after);
        params.put("limit", PAGE);
        JsonNode page = api.get(Api.query("api/v1/events", params));
        for (JsonNode event : page.path("events")) {
          lines.print(event);
          count++;
        }
        JsonNode next = page.get("next");
        after = next == null || next.isNull() ? null : next.asString();
      } while (after != null);
    }
    lines.flush();
    if (count == 0) {
      spec.commandLine().getErr().println("agentwatch replay: no stored events of run '" + runId + "' match");
    }
  }

  private static void requireTime(String option, String value) {
    if (value == null) {
      return;
    }
    try {
      OffsetDateTime.parse(value);
    } catch (DateTimeParseException e) {
      throw new CliException(option + " must be an RFC 3339 time like 2026-11-28T16:00:00Z but was '" + value + "'");
    }
  }
}
