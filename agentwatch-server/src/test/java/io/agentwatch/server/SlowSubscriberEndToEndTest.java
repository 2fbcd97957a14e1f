package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 5 through a real server: a subscriber that stops reading while 50,000 events go in
 * holds only a bounded amount on the server, is never sent a {@code gap}, and later reads every
 * event in order (caught up from the log, then live again); a subscriber beside it gets every
 * event as it comes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowSubscriberEndToEndTest {

  private static final Pattern GAUGE = Pattern.compile("(?m)^(agentwatch_stream_\\w+)(?:\\{[^}]*})? ([0-9.eE+-]+)$");

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.subscriber-queue=256");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void ingest(String body) {
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private double streamMetric(String name) {
    Matcher m = GAUGE.matcher(server.get("/actuator/prometheus", null).body());
    double value = 0;
    while (m.find()) {
      if (m.group(1).equals(name)) {
        value += Double.parseDouble(m.group(2));
      }
    }
    return value;
  }

  @Test
  void aSubscriberThatStopsReadingLaterGetsEveryEventWithoutAGapAndSlowsNobody() throws Exception {
    int total = 50_000;
    int perBatch = 500;
    String text = "x".repeat(800);
    try (TestSocket fast = server.socket(ADMIN_KEY); TestSocket slow = server.socket(ADMIN_KEY)) {
      Map<String, Object> sub = Map.of("op", "subscribe", "id", "s", "filter", Map.of("runId", "flood"));
      fast.send(sub);
      slow.send(sub);
      fast.next("subscribed", 10);
      slow.next("subscribed", 10);
      slow.pauseReading();

      List<String> fastIds = new ArrayList<>();
      for (int b = 0; b < total / perBatch; b++) {
        int base = b * perBatch;
        ingest(Envelopes.array(IntStream.range(base, base + perBatch).mapToObj(i -> Envelopes.event(
            "flood-" + i, "log", "flooder", "flood", Map.of("level", "info", "message", text))).toList()));
        // The fast reader keeps up as it goes.
        JsonNode f;
        while ((f = fast.poll(0)) != null) {
          fastIds.add(f.get("event").get("id").stringValue());
        }
      }
      while (fastIds.size() < total) {
        fastIds.add(fast.next("event", 30).get("event").get("id").stringValue());
      }
      List<String> expected = IntStream.range(0, total).mapToObj(i -> "flood-" + i).toList();
      assertThat(fastIds).containsExactlyElementsOf(expected);

      assertThat(streamMetric("agentwatch_stream_fell_behind_total")).as("the slow one fell behind").isPositive();
      assertThat(streamMetric("agentwatch_stream_queued")).as("what waits for it is bounded")
          .isLessThanOrEqualTo(256);
      assertThat(streamMetric("agentwatch_stream_gaps_total")).isZero();

      slow.resumeReading();
      List<String> slowIds = new ArrayList<>();
      String lastCursor = null;
      while (slowIds.size() < total) {
        JsonNode frame = slow.next(30);
        assertThat(frame.get("op").stringValue()).as("frame %s", frame).isEqualTo("event");
        slowIds.add(frame.get("event").get("id").stringValue());
        lastCursor = frame.get("cursor").stringValue();
        assertThat(frame.get("event").get("cursor").stringValue()).isEqualTo(lastCursor);
      }
      assertThat(slowIds).containsExactlyElementsOf(expected);

      // Caught up, it is live again: the next event arrives as it is stored.
      ingest(Envelopes.array(List.of(Envelopes.event("after-" + lastCursor, "log", "flooder", "flood",
          Map.of("level", "info", "message", "live again")))));
      assertThat(slow.next("event", 10).get("event").get("id").stringValue()).isEqualTo("after-" + lastCursor);
      assertThat(fast.next("event", 10).get("event").get("id").stringValue()).isEqualTo("after-" + lastCursor);
      assertThat(streamMetric("agentwatch_stream_catching_up")).isZero();
      assertThat(streamMetric("agentwatch_stream_gaps_total")).isZero();
    }
  }
}
