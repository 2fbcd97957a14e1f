package io.agentwatch.cli;

import io.agentwatch.model.EventCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code agentwatch tail}: prints live events as they are stored, over {@code GET /api/v1/stream}
 * (SSE). With {@code --cursor-file}, the cursor of each printed event is saved there and the next
 * run resumes right after it, with no gap and no repeat; a {@code gap} (the server restarting, say)
 * or a dropped stream is resumed the same way, after a backoff. It asks for batched writes
 * ({@code batch=true}): the server puts every ready event in one write.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print live events (filtered), resuming where the last run stopped with --cursor-file.")
final class TailCommand implements Runnable {

  @ParentCommand
  AgentwatchCli parent;

  @Spec
  CommandSpec spec;

  @Option(names = "--run", paramLabel = "RUN", description = "Only events of this run.")
  String runId;

  @Option(names = "--agent", paramLabel = "AGENT", description = "Only events of this agent.")
  String agentId;

  @Option(names = "--type", paramLabel = "TYPE",
      description = "Only events of this type; repeatable, and a prefix like task.* matches a family.")
  List<String> types;

  @Option(names = "--cursor-file", paramLabel = "FILE",
      description = "Resume after the cursor saved in FILE, and save each printed event's cursor there.")
  Path cursorFile;

  @Option(names = "--after", paramLabel = "CURSOR", description = "Start after this cursor (when no cursor file has one).")
  String after;

  @Option(names = "--limit", paramLabel = "N", description = "Stop after N events (default: run until stopped).")
  Long limit;

  @Option(names = "--json", description = "Print each event as its JSON (NDJSON).")
  boolean json;

  private long printed;
  private String cursor;

  @Override
  public void run() {
    if (limit != null && limit < 1) {
      throw new CliException("--limit must be at least 1 but was " + limit);
    }
    cursor = readCursor();
    EventLines lines = new EventLines(spec.commandLine().getOut(), json);
    try (Api api = parent.api()) {
      int failures = 0;
      while (limit == null || printed < limit) {
        try {
          if (follow(api, lines)) {
            failures = 0;
          }
        } catch (IOException e) {
          if (failures == 0) {
            notice("stream interrupted (" + api.unreachable(e).getMessage() + "); reconnecting");
          }
          failures++;
        } catch (Api.ApiError e) {
          if (e.status() != 429 && e.status() < 500) {
            throw e;
          }
          if (failures == 0) {
            notice("the server is unavailable (" + e.getMessage() + "); reconnecting");
          }
          failures++;
        }
        if (limit != null && printed >= limit) {
          break;
        }
        sleep(backoff(failures));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reads one SSE connection until it ends or the limit is reached.
   *
   * @return whether it delivered anything (a reconnect after that needs no backoff)
   */
  private boolean follow(Api api, EventLines lines) throws IOException, InterruptedException {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("runId", runId);
    params.put("agentId", agentId);
    params.put("type", types);
    params.put("after", cursor);
    params.put("batch", "true");
    var request = api.request(Api.query("api/v1/stream", params)).header("Accept", "text/event-stream")
        .timeout(Duration.ofDays(365)).GET().build();
    boolean delivered = false;
    try (InputStream body = api.stream(request);
         BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String event = null;
      StringBuilder data = new StringBuilder();
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isEmpty()) {
          if (line.startsWith("id:")) {
            id = field(line);
          } else if (line.startsWith("event:")) {
            event = field(line);
          } else if (line.startsWith("data:")) {
            data.append(field(line));
          }
          continue;
        }
        if (data.isEmpty()) {
          continue;
        }
        delivered = true;
        switch (event == null ? "message" : event) {
          case "gap" -> {
            JsonNode gap = EventCodec.JSON.readTree(data.toString());
            notice("the stream ended (" + gap.path("reason").asString("no reason given")
                + "); resuming from the last printed event");
            saveCursor(gap.path("resumeFrom").asString(null));
            return true;
          }
          case "reset" -> {
            notice("the cursor is not from this server's store (was its data wiped?); continuing from now");
            saveCursor(resumeFrom(data.toString()));
          }
          default -> {
            lines.print(data.toString());
            lines.flush();
            saveCursor(id);
            printed++;
            if (limit != null && printed >= limit) {
              return true;
            }
          }
        }
        id = null;
        event = null;
        data.setLength(0);
      }
    }
    return delivered;
  }

  private static String field(String line) {
    String value = line.substring(line.indexOf(':') + 1);
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  private static String resumeFrom(String data) {
    return EventCodec.JSON.readTree(data).path("resumeFrom").asString(null);
  }

  private String readCursor() {
    if (cursorFile != null && Files.exists(cursorFile)) {
      try {
        String saved = Files.readString(cursorFile).trim();
        if (!saved.isEmpty()) {
          return saved;
        }
      } catch (IOException e) {
        throw new CliException("cannot read the cursor file " + cursorFile + ": " + e.getMessage());
      }
    }
    return after;
  }

  /** Saves atomically: a crash leaves the previous cursor or the new one, never half of one. */
  private void saveCursor(String newCursor) {
    if (newCursor == null) {
      return;
    }
    cursor = newCursor;
    if (cursorFile == null) {
      return;
    }
    try {
      Path tmp = cursorFile.resolveSibling(cursorFile.getFileName() + ".tmp");
      Files.writeString(tmp, newCursor + "\n");
      Files.move(tmp, cursorFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CliException("cannot write the cursor file " + cursorFile + ": " + e.getMessage());
    }
  }

  private void notice(String message) {
    spec.commandLine().getErr().println("agentwatch tail: " + message);
    spec.commandLine().getErr().flush();
  }

  /** Full jitter up to a cap doubling from 250 ms to 15 s. */
  private static long backoff(int failures) {
    if (failures == 0) {
      return 0;
    }
    long cap = Math.min(15_000, 250L << Math.min(failures - 1, 6));
    return ThreadLocalRandom.current().nextLong(cap + 1);
  }

  private static void sleep(long millis) throws InterruptedException {
    if (millis > 0) {
      Thread.sleep(millis);
    }
  }
}
