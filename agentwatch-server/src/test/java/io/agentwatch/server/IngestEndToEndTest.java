package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.array;
import static io.agentwatch.server.Envelopes.batch;
import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.Envelopes.log;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/v1/events} through a real server: results, duplicates, limits and bad input. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestEndToEndTest {

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

  private HttpResponse<String> ingest(String body) {
    return server.post("/api/v1/events", ADMIN_KEY, "application/json", body);
  }

  private List<String> storedIds(String query) {
    JsonNode page = json(server.get("/api/v1/events?limit=1000&" + query, ADMIN_KEY).body());
    return page.get("events").valueStream().map(e -> e.get("id").stringValue()).toList();
  }

  @Test
  void aJsonArrayIsStoredAndCountedAfterDurability() {
    HttpResponse<String> r = ingest(batch("arr", "w1", 5));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r.body()).get("accepted").intValue()).isEqualTo(5);
    assertThat(storedIds("agentId=w1")).containsExactly("arr-0", "arr-1", "arr-2", "arr-3", "arr-4");
  }

  @Test
  void ndjsonIsAcceptedAndABadLineIsRejectedAlone() {
    String body = log("nd-1", "nd", "run-1") + "\n\nnot json\r\n" + log("nd-2", "nd", "run-1") + "\n";
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/x-ndjson", body);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode answer = json(r.body());
    assertThat(answer.get("accepted").intValue()).isEqualTo(2);
    assertThat(answer.get("rejected").get(0).get("index").intValue()).isEqualTo(1);
    assertThat(storedIds("agentId=nd")).containsExactly("nd-1", "nd-2");
  }

  @Test
  void duplicatesAreStoredOnceAndCounted() {
    ingest(batch("dup", "dupper", 3));
    HttpResponse<String> again = ingest(batch("dup", "dupper", 4));

    JsonNode answer = json(again.body());
    assertThat(answer.get("accepted").intValue()).isEqualTo(1);
    assertThat(answer.get("duplicates").intValue()).isEqualTo(3);
    assertThat(storedIds("agentId=dupper")).containsExactly("dup-0", "dup-1", "dup-2", "dup-3");
  }

  @Test
  void invalidEventsAreRejectedWithEveryProblemWhileValidOnesGoIn() {
    var bad = event("bad-1", "task.progress", "v1", "run-1", Map.of("taskId", "t", "percent", 140));
    bad.remove("ts");
    HttpResponse<String> r = ingest(array(List.of(log("ok-1", "v1", "run-1"), bad)));

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode rejected = json(r.body()).get("rejected").get(0);
    assertThat(rejected.get("index").intValue()).isEqualTo(1);
    assertThat(rejected.get("id").stringValue()).isEqualTo("bad-1");
    assertThat(rejected.get("error").stringValue())
        .contains("ts is required").contains("data.percent must be 0..100 but was 140");
    assertThat(storedIds("agentId=v1")).containsExactly("ok-1");
  }

  @Test
  void aBatchWithNoValidEventIsAProblemNotA200() {
    HttpResponse<String> r = ingest("[{\"id\":\"x\"}]");

    assertThat(r.statusCode()).isEqualTo(422);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t)
        .startsWith("application/problem+json"));
    assertThat(json(r.body()).get("rejected").get(0).get("error").stringValue()).contains("type is required");
  }

  @Test
  void everyBadRequestGetsItsDocumentedProblem() {
    assertProblem(ingest("{not json"), 400, "not valid JSON");
    assertProblem(ingest("42"), 400, "JSON array");
    assertProblem(ingest("[] []"), 400, "after the JSON array");
    assertProblem(server.post("/api/v1/events", ADMIN_KEY, "text/csv", "a,b"), 415, "Content-Type");
    assertProblem(ingest(batch("many", "m", 10_001)), 413, "at most 10000 events");
    assertProblem(ingest("[" + "\"x\",".repeat(2_800_000) + "\"x\"]"), 413, "at most 10485760 bytes");
    assertProblem(server.post("/api/v1/events", null, "application/json", "[]"), 401, "API key is required");
    assertProblem(server.post("/api/v1/events", "aw_wrong", "application/json", "[]"), 401, "unknown or revoked");
    assertProblem(server.get("/api/v1/nothing-here", ADMIN_KEY), 404, "");
  }

  @Test
  void concurrentRetriesWithOneIdempotencyKeyNeverGetA5xx() throws Exception {
    String tooMany = batch("idem-big", "idem-big", 10_001);
    List<Thread> threads = new java.util.ArrayList<>();
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 6; i++) {
      threads.add(Thread.ofVirtual().start(() -> statuses.add(server.post("/api/v1/events", ADMIN_KEY,
          "application/json", tooMany, "Idempotency-Key", "big-1").statusCode())));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(statuses).hasSize(6).containsOnly(413);
  }

  @Test
  void pathTricksDoNotSkipAuthentication() {
    assertProblem(server.get("/api;x=1/v1/events", null), 401, "API key is required");
  }

  @Test
  void aReadOnlyKeyCannotIngest() {
    String reader = server.newKey("default", "read");

    assertProblem(server.post("/api/v1/events", reader, "application/json", batch("ro", "ro", 1)), 403, "ingest");
  }

  @Test
  void aRetriedRequestWithTheSameIdempotencyKeyGetsTheFirstAnswer() {
    String body = batch("idem", "idem", 2);
    HttpResponse<String> first = server.post("/api/v1/events", ADMIN_KEY, "application/json", body,
        "Idempotency-Key", "k-1");
    HttpResponse<String> retry = server.post("/api/v1/events", ADMIN_KEY, "application/json", body,
        "Idempotency-Key", "k-1");
    HttpResponse<String> misuse = server.post("/api/v1/events", ADMIN_KEY, "application/json",
        batch("other", "idem", 1), "Idempotency-Key", "k-1");

    assertThat(retry.statusCode()).isEqualTo(200);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(json(retry.body()).get("accepted").intValue()).isEqualTo(2);
    assertProblem(misuse, 422, "different body");
  }

  @Test
  void concurrentProducersKeepEachAgentsOrder() throws Exception {
    int producers = 6;
    ConcurrentLinkedQueue<Integer> failures = new ConcurrentLinkedQueue<>();
    List<Thread> threads = IntStream.range(0, producers).mapToObj(p -> Thread.ofVirtual().start(() -> {
      for (int b = 0; b < 10; b++) {
        List<Object> events = IntStream.range(b * 20, b * 20 + 20)
            .mapToObj(i -> (Object) log("ord-" + p + "-" + i, "ord-" + p, "ord-run")).toList();
        int status = ingest(array(events)).statusCode();
        if (status != 200) {
          failures.add(status);
        }
      }
    })).toList();
    for (Thread t : threads) {
      t.join();
    }

    assertThat(failures).isEmpty();
    for (int p = 0; p < producers; p++) {
      int agent = p;
      List<String> expected = IntStream.range(0, 200).mapToObj(i -> "ord-" + agent + "-" + i).toList();
      assertThat(storedIds("agentId=ord-" + p)).containsExactlyElementsOf(expected);
    }
  }

  static void assertProblem(HttpResponse<String> r, int status, String detail) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).as("content type of " + status)
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    JsonNode problem = json(r.body());
    assertThat(problem.get("status").intValue()).isEqualTo(status);
    assertThat(problem.get("detail").stringValue()).contains(detail);
  }
}
