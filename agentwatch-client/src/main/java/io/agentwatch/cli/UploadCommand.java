package io.agentwatch.cli;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code agentwatch upload}: sends one completed run to {@code POST /api/v1/sessions}, all or
 * nothing. The file is a session {@code {"runId":…,"events":[…]}}, or the events alone as a JSON
 * array or NDJSON with {@code --run} naming the run.
 */
@Command(name = "upload", mixinStandardHelpOptions = true,
    description = "Upload a completed run (a session file) at once; nothing is stored unless all of it is valid.")
final class UploadCommand implements Runnable {

  @ParentCommand
  AgentwatchCli parent;

  @Spec
  CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "{\"runId\":…,\"events\":[…]}, a JSON array of events, or NDJSON.")
  Path file;

  @Option(names = "--run", paramLabel = "RUN", description = "The run id, when the file holds only events.")
  String runId;

  @Override
  public void run() {
    ObjectNode session = session(read());
    try (Api api = parent.api()) {
      JsonNode answer = api.post("api/v1/sessions", EventCodec.JSON.writeValueAsString(session));
      spec.commandLine().getOut().println("uploaded run " + answer.path("runId").asString() + ": "
          + answer.path("accepted").asLong() + " events stored, " + answer.path("duplicates").asLong()
          + " already there");
    }
  }

  private String read() {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private ObjectNode session(String text) {
    JsonNode body;
    try {
      body = EventCodec.JSON.readTree(text);
    } catch (JacksonException e) {
      body = ndjson(text);
    }
    if (body instanceof ObjectNode object && object.has("events")) {
      if (runId != null) {
        object.put("runId", runId);
      }
      return object;
    }
    ArrayNode events;
    if (body instanceof ArrayNode array) {
      events = array;
    } else if (body instanceof ObjectNode single) {
      events = EventCodec.JSON.createArrayNode().add(single);
    } else {
      throw new CliException(file + " holds neither a session, nor a JSON array of events, nor NDJSON");
    }
    String run = runId != null ? runId : commonRun(events);
    ObjectNode session = EventCodec.JSON.createObjectNode();
    session.put("runId", run);
    session.set("events", events);
    return session;
  }

  private ArrayNode ndjson(String text) {
    ArrayNode events = EventCodec.JSON.createArrayNode();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        events.add(EventCodec.JSON.readTree(line));
      } catch (JacksonException e) {
        throw new CliException(file + " line " + (i + 1) + " is not JSON: " + e.getOriginalMessage());
      }
    }
    return events;
  }

  private String commonRun(ArrayNode events) {
    List<String> runs = new ArrayList<>();
    for (JsonNode e : events) {
      String run = e.path("runId").asString(null);
      if (run != null && !runs.contains(run)) {
        runs.add(run);
      }
    }
    if (runs.size() != 1) {
      throw new CliException(file + " holds events of " + (runs.isEmpty() ? "no run" : "runs " + runs)
          + "; name the run with --run");
    }
    return runs.get(0);
  }
}
