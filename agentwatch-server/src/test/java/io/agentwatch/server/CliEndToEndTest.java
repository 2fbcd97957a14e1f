package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.cli.AgentwatchCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The agentwatch command line, run in-process against the real server. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliEndToEndTest {

  @TempDir
  static Path data;
  @TempDir
  static Path files;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  record Result(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", "http://127.0.0.1:" + server.port()));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AgentwatchCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all.toArray(String[]::new));
    return new Result(code, out.toString(), err.toString());
  }

  private Result admin(String... args) {
    List<String> all = new ArrayList<>(List.of("--key", ADMIN_KEY));
    all.addAll(List.of(args));
    return cli(all.toArray(String[]::new));
  }

  private void ingest(String body) {
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void keysAreCreatedListedAndRevoked() {
    Result created = admin("keys", "create", "--scope", "ingest", "--scope", "read", "--name", "cli-made", "--tenant",
        "acme");
    assertThat(created.code()).as(created.err()).isZero();
    String id = value(created, "id:");
    String key = value(created, "key:");
    assertThat(key).startsWith("aw_");
    assertThat(value(created, "scopes:")).isEqualTo("ingest,read");

    Result listed = admin("keys", "list", "--tenant", "acme");
    assertThat(listed.code()).isZero();
    assertThat(listed.lines()).anySatisfy(l -> assertThat(l).startsWith(id).contains("acme", "ingest,read",
        "cli-made", "unused"));

    Result all = admin("keys", "list");
    int name = all.lines().getFirst().indexOf("NAME");
    assertThat(all.lines()).as("the admin key's long scopes end before its NAME column").anySatisfy(l -> {
      assertThat(l).contains("ingest,read,admin,operator  ");
      assertThat(l.substring(name)).startsWith("admin ");
    });

    assertThat(admin("keys", "revoke", id).out()).contains("revoked " + id);
    assertThat(admin("keys", "list", "--tenant", "acme").lines())
        .anySatisfy(l -> assertThat(l).startsWith(id).contains("revoked "));

    Result refused = cli("--key", key, "keys", "list");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).startsWith("agentwatch: HTTP 401");
    Result missing = admin("keys", "revoke", "no-such-key");
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).contains("HTTP 404").contains("no key with id 'no-such-key'");
    assertThat(admin("keys", "create").code()).as("--scope is required").isEqualTo(2);
  }

  @Test
  void aSessionFileIsUploadedAllOrNothingAndThenReplayedInOrderFromATime() throws Exception {
    Path session = files.resolve("session.json");
    Files.writeString(session, Envelopes.array(List.of(
        Envelopes.at("2026-11-28T16:00:00Z", "up-1", "task.created", "planner", null, Map.of("taskId", "t1")),
        Envelopes.at("2026-11-28T16:00:05Z", "up-2", "task.started", "doer", null, Map.of("taskId", "t1")),
        Envelopes.at("2026-11-28T16:00:09Z", "up-3", "task.completed", "doer", null, Map.of("taskId", "t1")))));

    Result uploaded = admin("upload", session.toString(), "--run", "cli-run");
    assertThat(uploaded.code()).as(uploaded.err()).isZero();
    assertThat(uploaded.out()).contains("uploaded run cli-run: 3 events stored, 0 already there");
    assertThat(admin("upload", session.toString(), "--run", "cli-run").out())
        .contains("0 events stored, 3 already there");

    Result replay = admin("replay", "--run", "cli-run", "--from", "2026-11-28T16:00:05Z");
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(replay.lines()).hasSize(3);
    assertThat(replay.lines().get(0)).startsWith("2026-11-28T16:00:05Z  doer  task.started  [cli-run]");
    assertThat(replay.lines().get(1)).contains("task.completed");
    assertThat(replay.lines().get(2)).contains("run.completed").as("the upload's end marker");

    Result asJson = admin("replay", "--run", "cli-run", "--json", "--type", "task.*");
    assertThat(asJson.lines()).extracting(l -> json(l).get("id").stringValue()).containsExactly("up-1", "up-2", "up-3");

    Path bad = files.resolve("bad.ndjson");
    Files.writeString(bad, """
        {"id":"bad-1","type":"task.created","agentId":"a","runId":"bad-run","ts":"2026-11-28T16:00:00Z","data":{"taskId":"t"}}
        {"id":"bad-2","type":"task.failed","agentId":"a","runId":"bad-run","ts":"2026-11-28T16:00:01Z","data":{"taskId":"t"}}
        """);
    Result refused = admin("upload", bad.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("HTTP 422", "nothing was stored", "data.error is required");
    assertThat(admin("replay", "--run", "bad-run").err()).contains("no stored events of run 'bad-run'");

    assertThat(admin("upload", files.resolve("missing.json").toString()).err()).contains("cannot read");
    assertThat(admin("replay", "--run", "cli-run", "--from", "yesterday").err())
        .contains("--from must be an RFC 3339 time");
  }

  @Test
  void tailPrintsFilteredEventsAndResumesFromItsCursorFile() throws Exception {
    List<Object> events = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      events.add(Envelopes.log("tail-" + i, "tail-agent", "tail-run"));
      events.add(Envelopes.log("other-" + i, "other-agent", "tail-run"));
    }
    ingest(Envelopes.array(events));
    String first = json(server.get("/api/v1/events?agentId=tail-agent&limit=1", ADMIN_KEY).body())
        .get("events").get(0).get("cursor").stringValue();
    Path cursorFile = files.resolve("tail.cursor");

    Result firstRun = admin("tail", "--agent", "tail-agent", "--after", first, "--cursor-file", cursorFile.toString(),
        "--limit", "2", "--json");
    assertThat(firstRun.code()).as(firstRun.err()).isZero();
    assertThat(ids(firstRun)).containsExactly("tail-2", "tail-3");
    assertThat(Files.readString(cursorFile).trim()).isEqualTo(json(firstRun.lines().get(1)).get("cursor").stringValue());

    Result resumed = admin("tail", "--agent", "tail-agent", "--after", first, "--cursor-file", cursorFile.toString(),
        "--limit", "2", "--json");
    assertThat(ids(resumed)).as("the saved cursor wins over --after").containsExactly("tail-4", "tail-5");

    CompletableFuture<Result> live = CompletableFuture.supplyAsync(() -> admin("tail", "--agent", "tail-agent",
        "--type", "log", "--cursor-file", cursorFile.toString(), "--limit", "1"));
    ingest(Envelopes.array(List.of(Envelopes.log("other-6", "other-agent", "tail-run"),
        Envelopes.log("tail-6", "tail-agent", "tail-run"))));
    Result liveRun = live.get(30, TimeUnit.SECONDS);
    assertThat(liveRun.lines()).singleElement().satisfies(l -> assertThat(l).contains("tail-agent  log  [tail-run]",
        "\"message\":\"line tail-6\""));

    Result badCursor = admin("tail", "--after", "not-a-cursor", "--limit", "1");
    assertThat(badCursor.code()).isEqualTo(1);
    assertThat(badCursor.err()).contains("HTTP 400", "cursor is malformed");
  }

  @Test
  void simulateDrivesManagersAndWorkersThroughTheSdkAndReportsWhatWasStored() {
    String key = server.newKey("default", "ingest");
    Result sim = cli("--key", key, "simulate", "--agents", "5", "--rate", "200", "--duration", "3s", "--prefix",
        "clisim", "--seed", "7");
    assertThat(sim.code()).as(sim.err()).isZero();
    assertThat(sim.lines().get(0)).isEqualTo("simulating 5 agents in 2 teams against http://127.0.0.1:" + server.port()
        + "/ for 3s");
    String done = sim.lines().getLast();
    assertThat(done).startsWith("done: ").contains(" 0 buffered, 0 rejected, dropped none");
    long emitted = Long.parseLong(done.replaceAll("done: (\\d+) emitted.*", "$1"));
    long stored = Long.parseLong(done.replaceAll(".* (\\d+) stored.*", "$1"));
    assertThat(stored).isEqualTo(emitted).isPositive();

    JsonNode managers = json(server.get("/api/v1/events?limit=1000&agentId=clisim-1-manager", ADMIN_KEY).body());
    assertThat(managers.get("events").valueStream().map(e -> e.get("type").stringValue()))
        .contains("agent.registered", "task.created", "task.assigned");
    assertThat(json(server.get("/api/v1/events?limit=1000&agentId=clisim-2-worker-1", ADMIN_KEY).body())
        .get("events").size()).isPositive();

    assertThat(cli("--key", key, "simulate", "--agents", "1").err()).contains("--agents must be 2..10000 but was 1");
    assertThat(cli("--key", key, "simulate", "--duration", "soon").code()).isEqualTo(2);
  }

  private static List<String> ids(Result r) {
    return r.lines().stream().map(l -> json(l).get("id").stringValue()).toList();
  }

  private static String value(Result r, String label) {
    return r.lines().stream().filter(l -> l.startsWith(label)).findFirst().orElseThrow()
        .substring(label.length()).trim();
  }
}
