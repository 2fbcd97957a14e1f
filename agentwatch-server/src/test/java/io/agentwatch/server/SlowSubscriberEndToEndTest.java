package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Invariant 5 through a real server: a subscriber that stops reading fills only its own bounded
 * queue and gets a {@code gap}; a fast subscriber of the same events gets every one, and resuming
 * from the gap's cursor fills the hole exactly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowSubscriberEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.subscriber-queue=2000");
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private void ingest(String key, String body) {
    HttpResponse<String> r = server.post("/api/v1/events", key, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  @Test
  void aSlowSubscriberGetsAGapWhileAFastOneGetsEverything() throws Exception {
    int total = 10_000;
    String bigText = "x".repeat(2000);
    try (TestSocket fast = server.socket(ADMIN_KEY); TestSocket slow = server.socket(ADMIN_KEY)) {
      Map<String, Object> sub = Map.of("op", "subscribe", "id", "s", "filter", Map.of("runId", "flood"));
      fast.send(sub);
      slow.send(sub);
      fast.next("subscribed", 10);
      slow.next("subscribed", 10);
      slow.pauseReading();

      for (int b = 0; b < total / 200; b++) {
        int base = b * 200;
        ingest(ADMIN_KEY, Envelopes.array(IntStream.range(base, base + 200).mapToObj(i -> Envelopes.event(
            "flood-" + i, "log", "flooder", "flood", Map.of("level", "info", "message", bigText))).toList()));
        Thread.sleep(5);
      }
      List<String> fastIds = new ArrayList<>();
      while (fastIds.size() < total) {
        fastIds.add(fast.next("event", 30).get("event").get("id").stringValue());
      }
      assertThat(fastIds).doesNotHaveDuplicates().hasSize(total);

      slow.resumeReading();
      List<String> slowIds = new ArrayList<>();
      JsonNode frame;
      while (!(frame = slow.next(30)).get("op").stringValue().equals("gap")) {
        slowIds.add(frame.get("event").get("id").stringValue());
      }
      assertThat(frame.get("reason").stringValue()).isEqualTo("slow");
      assertThat(slowIds.size()).isLessThan(total);

      slow.send(Map.of("op", "subscribe", "id", "s2", "filter", Map.of("runId", "flood"),
          "after", frame.get("resumeFrom").stringValue()));
      while (slowIds.size() < total) {
        JsonNode f = slow.next(30);
        if (f.get("op").stringValue().equals("event")) {
          slowIds.add(f.get("event").get("id").stringValue());
        }
      }
      assertThat(slowIds).containsExactlyElementsOf(fastIds);
    }
  }

}
