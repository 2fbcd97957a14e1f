package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.array;
import static io.agentwatch.server.Envelopes.at;
import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Agents, runs and tasks projected from the log, time travel, session upload and safe edits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StateEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void ingest(String key, List<ObjectNode> events) {
    HttpResponse<String> r = server.post("/api/v1/events", key, "application/json", array(events));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** A manager hands two tasks to a worker; one completes, one fails. Times are 10 s apart. */
  private void scenario(String key, String run) {
    ingest(key, List.of(
        at("2026-11-28T16:00:00Z", run + "-1", "agent.registered", run + "-manager", run, Map.of("role", "manager")),
        at("2026-11-28T16:00:00Z", run + "-2", "agent.registered", run + "-worker", run, Map.of("role", "worker")),
        at("2026-11-28T16:00:10Z", run + "-3", "task.created", run + "-manager", run, Map.of("taskId", "t1", "title", "A")),
        at("2026-11-28T16:00:10Z", run + "-4", "task.assigned", run + "-manager", run, Map.of("taskId", "t1",
            "assignee", run + "-worker")),
        at("2026-11-28T16:00:20Z", run + "-5", "task.started", run + "-worker", run, Map.of("taskId", "t1")),
        at("2026-11-28T16:00:25Z", run + "-6", "llm.call", run + "-worker", run, Map.of("model", "m", "inputTokens", 100,
            "outputTokens", 20, "costUsd", 0.5)),
        at("2026-11-28T16:00:30Z", run + "-7", "task.completed", run + "-worker", run, Map.of("taskId", "t1")),
        at("2026-11-28T16:00:40Z", run + "-8", "task.created", run + "-manager", run, Map.of("taskId", "t2",
            "assignee", run + "-worker")),
        at("2026-11-28T16:00:50Z", run + "-9", "task.started", run + "-worker", run, Map.of("taskId", "t2")),
        at("2026-11-28T16:01:00Z", run + "-10", "task.failed", run + "-worker", run, Map.of("taskId", "t2",
            "error", "boom")),
        at("2026-11-28T16:01:05Z", run + "-11", "agent.status", run + "-worker", run, Map.of("status", "idle"))));
  }

  private JsonNode get(String path) {
    HttpResponse<String> r = server.get(path, ADMIN_KEY);
    assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
    return json(r.body());
  }

  /** Polls until the projection caught up with what was just ingested. */
  private JsonNode eventually(String path, java.util.function.Predicate<JsonNode> ready) {
    JsonNode[] last = new JsonNode[1];
    TestServer.await(path + " to be projected", 10, () -> {
      HttpResponse<String> r = server.get(path, ADMIN_KEY);
      return r.statusCode() == 200 && ready.test(last[0] = json(r.body()));
    });
    return last[0];
  }

  @Test
  void agentsRunsAndTasksAreProjectedFromTheLog() {
    scenario(ADMIN_KEY, "proj");

    JsonNode run = eventually("/api/v1/runs/proj", r -> r.get("tasks").get("failed").asLong() == 1);
    assertThat(run.get("participants").get("proj-worker").stringValue()).isEqualTo("worker");
    assertThat(run.get("tasks").get("completed").asLong()).isEqualTo(1);
    assertThat(run.get("totals").get("inputTokens").asLong()).isEqualTo(100);
    assertThat(run.get("startedAt").stringValue()).isEqualTo("2026-11-28T16:00:00Z");
    assertThat(run.get("asOf").stringValue()).startsWith("aw1.");

    JsonNode worker = get("/api/v1/agents/proj-worker");
    assertThat(worker.get("role").stringValue()).isEqualTo("worker");
    assertThat(worker.get("status").stringValue()).isEqualTo("idle");
    assertThat(worker.get("counters").get("tasksCompleted").asLong()).isEqualTo(1);
    assertThat(worker.get("counters").get("tasksFailed").asLong()).isEqualTo(1);
    assertThat(worker.get("counters").get("costUsd").asDouble()).isEqualTo(0.5);

    JsonNode failed = get("/api/v1/runs/proj/tasks?state=failed");
    assertThat(failed.get("tasks")).hasSize(1);
    assertThat(failed.get("tasks").get(0).get("error").stringValue()).isEqualTo("boom");
    JsonNode t1 = get("/api/v1/runs/proj/tasks?sort=taskId").get("tasks").get(0);
    assertThat(t1.get("durationMs").asLong()).isEqualTo(10_000);
  }

  @Test
  void listsFilterSortAndPage() {
    scenario(ADMIN_KEY, "list-a");
    eventually("/api/v1/runs/list-a", r -> r.get("totals").get("events").asLong() == 11);

    assertThat(get("/api/v1/agents?role=manager").get("agents").valueStream()
        .map(a -> a.get("agentId").stringValue()).toList()).contains("list-a-manager").doesNotContain("list-a-worker");
    List<String> ids = new ArrayList<>();
    String next = null;
    do {
      JsonNode page = get("/api/v1/agents?limit=1" + (next == null ? "" : "&after=" + next));
      page.get("agents").forEach(a -> ids.add(a.get("agentId").stringValue()));
      next = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (next != null);
    assertThat(ids).doesNotHaveDuplicates().contains("list-a-manager", "list-a-worker").isSorted();
    assertThat(get("/api/v1/runs?agentId=list-a-worker&sort=runId").get("runs").valueStream()
        .map(r -> r.get("runId").stringValue())).contains("list-a");

    assertProblem(server.get("/api/v1/agents?sort=mood", ADMIN_KEY), 400, "sort must be one of");
    assertProblem(server.get("/api/v1/agents?after=garbage", ADMIN_KEY), 400, "next");
    assertProblem(server.get("/api/v1/agents/nobody", ADMIN_KEY), 404, "nobody");
    assertProblem(server.get("/api/v1/runs/none/tasks", ADMIN_KEY), 404, "none");
  }

  @Test
  void runsAreSearchedByIdTitleOrParticipantAndPagedWithTheSameSearch() {
    scenario(ADMIN_KEY, "needle-one");
    scenario(ADMIN_KEY, "needle-two");
    scenario(ADMIN_KEY, "haystack");
    eventually("/api/v1/runs/haystack", r -> r.get("totals").get("events").asLong() == 11);

    List<String> found = new ArrayList<>();
    String next = null;
    do {
      JsonNode page = get("/api/v1/runs?q=NEEDLE&limit=1" + (next == null ? "" : "&after=" + next));
      page.get("runs").forEach(r -> found.add(r.get("runId").stringValue()));
      next = page.get("next").isNull() ? null : page.get("next").stringValue();
    } while (next != null);
    assertThat(found).containsExactlyInAnyOrder("needle-one", "needle-two");

    assertThat(get("/api/v1/runs?q=haystack-worker").get("runs").valueStream()
        .map(r -> r.get("runId").stringValue()).toList()).containsExactly("haystack");
    assertThat(get("/api/v1/runs?q=no-such-text").get("runs")).isEmpty();
  }

  @Test
  void stateAnswersAreNeverStoredByABrowserSinceTheirETagVersionsOnlyTheEdits() {
    scenario(ADMIN_KEY, "cached");
    eventually("/api/v1/runs/cached", r -> r.get("totals").get("events").asLong() == 11);

    HttpResponse<String> run = server.get("/api/v1/runs/cached", ADMIN_KEY);
    assertThat(run.headers().firstValue("ETag")).isPresent();
    assertThat(run.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(server.get("/api/v1/runs?limit=1", ADMIN_KEY).headers().firstValue("Cache-Control")).hasValue("no-store");
  }

  @Test
  void stateAtAnInstantIsRebuiltFromTheLog() {
    scenario(ADMIN_KEY, "travel");
    eventually("/api/v1/runs/travel", r -> r.get("totals").get("events").asLong() == 11);

    JsonNode before = get("/api/v1/runs/travel/state?at=2026-11-28T16:00:25Z");
    assertThat(before.get("tasks").get(0).get("state").stringValue()).isEqualTo("running");
    assertThat(before.get("tasks")).hasSize(1);
    JsonNode after = get("/api/v1/runs/travel/state?at=2026-11-28T16:02:00Z");
    assertThat(after.get("tasks").valueStream().map(t -> t.get("state").stringValue()))
        .containsExactly("completed", "failed");
    assertThat(get("/api/v1/runs/travel/state?at=2026-11-28T15:00:00Z").get("events").asLong()).isZero();

    assertProblem(server.get("/api/v1/runs/travel/state", ADMIN_KEY), 400, "at is required");
    assertProblem(server.get("/api/v1/runs/travel/state?at=soon", ADMIN_KEY), 400, "RFC 3339");
    assertProblem(server.get("/api/v1/runs/ghost/state?at=2026-11-28T16:00:00Z", ADMIN_KEY), 404, "ghost");
  }

  @Test
  void aTenEventThousandSessionIsStoredAtOnceAndAgainHarmlessly() {
    List<ObjectNode> events = new ArrayList<>();
    Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
    for (int i = 0; i < 10_000; i++) {
      String agent = "s-agent-" + (i % 4);
      ObjectNode e = at(t0.plusMillis(i).toString(), "sess-" + i, i % 2 == 0 ? "tool.called" : "llm.call", agent, null,
          i % 2 == 0 ? Map.of("tool", "grep") : Map.of("model", "m", "inputTokens", 1, "outputTokens", 1));
      events.add(e);
    }
    String body = "{\"runId\":\"big-session\",\"events\":" + array(events) + "}";

    HttpResponse<String> first = server.post("/api/v1/sessions", ADMIN_KEY, "application/json", body);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(json(first.body()).get("accepted").asLong()).isEqualTo(10_000);
    JsonNode run = eventually("/api/v1/runs/big-session", r -> r.get("status").stringValue().equals("completed"));
    assertThat(run.get("totals").get("llmCalls").asLong()).isEqualTo(5_000);

    HttpResponse<String> again = server.post("/api/v1/sessions", ADMIN_KEY, "application/json", body);
    assertThat(again.statusCode()).isEqualTo(201);
    assertThat(json(again.body()).get("accepted").asLong()).isZero();
    assertThat(json(again.body()).get("duplicates").asLong()).isEqualTo(10_000);
  }

  @Test
  void aRejectedSessionListsEveryProblemAndLeavesNothingBehind() {
    ObjectNode wrongRun = at("2026-11-01T10:00:00Z", "bad-1", "log", "a", "other-run", Map.of("level", "i",
        "message", "m"));
    ObjectNode noTs = at("2026-11-01T10:00:00Z", "bad-2", "task.progress", "a", null, Map.of("taskId", "t",
        "percent", 500));
    noTs.remove("ts");
    ObjectNode fine = at("2026-11-01T10:00:00Z", "fine-1", "log", "a", null, Map.of("level", "i", "message", "m"));
    String body = "{\"runId\":\"rejected-session\",\"events\":" + array(List.of(fine, wrongRun, noTs, fine)) + "}";

    HttpResponse<String> r = server.post("/api/v1/sessions", ADMIN_KEY, "application/json", body);
    assertProblem(r, 422, "nothing was stored");
    List<String> paths = json(r.body()).get("problems").valueStream().map(p -> p.get("path").stringValue()).toList();
    assertThat(paths).contains("events[1].runId", "events[2].ts", "events[2].data.percent", "events[3].id");
    assertThat(json(server.get("/api/v1/events?runId=rejected-session", ADMIN_KEY).body()).get("events")).isEmpty();
    assertProblem(server.get("/api/v1/runs/rejected-session", ADMIN_KEY), 404, "rejected-session");
    assertProblem(server.post("/api/v1/sessions", ADMIN_KEY, "application/json", "{\"events\":[]}"), 422, "runId");
    assertProblem(server.post("/api/v1/sessions", ADMIN_KEY, "application/json", "[1]"), 400, "JSON object");
  }

  @Test
  void editsNeedTheCurrentETagAndAreRecordedAsEvents() throws Exception {
    scenario(ADMIN_KEY, "edit");
    eventually("/api/v1/runs/edit", r -> r.get("totals").get("events").asLong() == 11);
    HttpResponse<String> agent = server.get("/api/v1/agents/edit-manager", ADMIN_KEY);
    String etag = agent.headers().firstValue("ETag").orElseThrow();

    assertProblem(patch("/api/v1/agents/edit-manager", null, "{\"displayName\":\"Boss\"}"), 428, "If-Match");
    assertProblem(patch("/api/v1/agents/edit-manager", etag, "{\"mood\":\"happy\"}"), 400, "cannot be edited");
    HttpResponse<String> ok = patch("/api/v1/agents/edit-manager", etag, "{\"displayName\":\"Boss\",\"tags\":[\"lead\"]}");
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(json(ok.body()).get("displayName").stringValue()).isEqualTo("Boss");
    assertThat(ok.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);

    HttpResponse<String> stale = patch("/api/v1/agents/edit-manager", etag, "{\"notes\":\"late\"}");
    assertProblem(stale, 412, "no longer current");
    assertThat(json(stale.body()).get("current").get("displayName").stringValue()).isEqualTo("Boss");
    assertThat(json(server.get("/api/v1/events?type=agent.edited&agentId=edit-manager", ADMIN_KEY).body()).get("events"))
        .hasSize(1);
    assertThat(server.post("/api/v1/events", ADMIN_KEY, "application/json", array(List.of(at(
        "2026-11-28T16:00:00Z", "forged", "agent.edited", "edit-manager", null, Map.of("displayName", "x"))))).statusCode())
        .isEqualTo(422);
  }

  @Test
  void ofTwoConcurrentEditsWithTheSameETagExactlyOneWins() throws Exception {
    scenario(ADMIN_KEY, "race");
    eventually("/api/v1/runs/race", r -> r.get("totals").get("events").asLong() == 11);
    String etag = server.get("/api/v1/runs/race", ADMIN_KEY).headers().firstValue("ETag").orElseThrow();
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String title = "title " + i;
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          go.await();
          statuses.add(patch("/api/v1/runs/race", etag, "{\"title\":\"" + title + "\"}").statusCode());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(statuses).containsExactlyInAnyOrder(200, 412);
    assertThat(get("/api/v1/runs/race").get("version").asLong()).isEqualTo(1);
  }

  @Test
  void rebuildingGivesTheSameProjectionAndNeedsAnOperator() {
    scenario(ADMIN_KEY, "rebuild");
    JsonNode before = eventually("/api/v1/runs/rebuild", r -> r.get("totals").get("events").asLong() == 11);
    String reader = server.newKey("default", "read", "admin");

    assertProblem(server.post("/api/v1/admin/projections/rebuild", reader, "application/json", ""), 403, "operator");
    HttpResponse<String> r = server.post("/api/v1/admin/projections/rebuild", ADMIN_KEY, "application/json", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode after = get("/api/v1/runs/rebuild");
    ((ObjectNode) before).remove("asOf");
    ((ObjectNode) after).remove("asOf");
    assertThat(after).isEqualTo(before);
  }

  @Test
  void anotherTenantSeesNoneOfIt() {
    scenario(ADMIN_KEY, "walled");
    eventually("/api/v1/runs/walled", r -> r.get("totals").get("events").asLong() == 11);
    String other = server.newKey("other-tenant", "read", "ingest");

    assertProblem(server.get("/api/v1/runs/walled", other), 404, "walled");
    assertThat(json(server.get("/api/v1/agents", other).body()).get("agents")).isEmpty();
  }

  private HttpResponse<String> patch(String path, String ifMatch, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body));
    if (ifMatch != null) {
      b.header("If-Match", ifMatch);
    }
    return server.send(b.build());
  }
}
