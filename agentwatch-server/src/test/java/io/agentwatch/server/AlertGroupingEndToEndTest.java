package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Grouping and flood control through the real server: eight findings of one detector in one run
 * reach the API and a webhook as one alert with a count; findings in more runs than the tenant's
 * rate allows reach them as alerts up to the rate and one flood summary for the rest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertGroupingEndToEndTest {

  private static final Instant T0 = Instant.parse("2026-11-28T16:00:05Z");
  private static final int RATE = 5;

  @TempDir
  static Path data;
  TestServer server;
  Receiver receiver;

  @BeforeAll
  void start() {
    server = TestServer.start(data, "--agentwatch.webhook.allow-private=true",
        "--agentwatch.webhook.poll-interval=50ms", "--agentwatch.analytics.tick=300ms",
        "--agentwatch.analytics.alert-update-every=2s", "--agentwatch.analytics.new-alerts-per-minute=" + RATE);
    receiver = Receiver.start(Receiver.OK);
    HttpResponse<String> hook = server.post("/api/v1/webhooks", ADMIN_KEY, "application/json",
        "{\"url\":\"" + receiver.url() + "\",\"types\":[\"alert.*\"]}");
    assertThat(hook.statusCode()).as(hook.body()).isEqualTo(201);

    // Completing a task assigned to someone else is an inconsistency the analytics raises at once.
    List<ObjectNode> events = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      events.addAll(foreignCompletion("g-1", "t" + i, 0));
    }
    for (int run = 2; run <= 8; run++) {
      events.addAll(foreignCompletion("g-" + run, "t", 10 + run));
    }
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", Envelopes.array(events));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  /** A task assigned to w1 and completed by w2. */
  private static List<ObjectNode> foreignCompletion(String run, String task, int second) {
    String ts = T0.plusSeconds(second).toString();
    return List.of(
        Envelopes.at(ts, run + "-" + task + "-assign", "task.assigned", "manager", run,
            Map.of("taskId", task, "assignee", "w1")),
        Envelopes.at(ts, run + "-" + task + "-done", "task.completed", "w2", run, Map.of("taskId", task, "result", "mine")));
  }

  @AfterAll
  void stop() {
    server.close();
    receiver.close();
  }

  private List<JsonNode> delivered(String type) {
    return receiver.successes().stream().map(h -> json(h.body())).filter(e -> e.get("type").stringValue().equals(type))
        .toList();
  }

  @Test
  void findingsOfOneDetectorInOneRunAreOneAlertWithACountAndItsItems() {
    TestServer.await("the grouped alert to hold every finding", 20, () -> {
      JsonNode alerts = json(server.get("/api/v1/alerts?runId=g-1", ADMIN_KEY).body()).get("alerts");
      return alerts.size() == 1 && alerts.get(0).get("count").intValue() == 8;
    });
    JsonNode alert = json(server.get("/api/v1/alerts?runId=g-1", ADMIN_KEY).body()).get("alerts").get(0);
    assertThat(alert.get("detector").stringValue()).isEqualTo("inconsistent_agent");
    assertThat(alert.get("open").intValue()).isEqualTo(8);
    assertThat(alert.get("items")).hasSize(8);
    assertThat(alert.get("items").get(7).get("message").stringValue()).contains("w2 completed task t7");
    assertThat(alert.get("message").stringValue()).startsWith("8 inconsistencies in run g-1 (8 open)");
  }

  @Test
  void theWebhookReceivesTheGroupedFormAndOneSummaryPastTheRate() {
    TestServer.await("the summary and the group's update at the webhook", 20,
        () -> !delivered("alert.suppressed").isEmpty() && delivered("alert.updated").stream()
            .anyMatch(e -> e.get("data").get("runId").asString("").equals("g-1")));
    assertThat(delivered("alert.raised")).as("alerts up to the rate, one per run").hasSize(RATE)
        .extracting(e -> e.get("data").get("runId").stringValue()).doesNotHaveDuplicates();
    JsonNode summary = delivered("alert.suppressed").getFirst().get("data");
    assertThat(summary.get("detector").stringValue()).isEqualTo("flood_control");
    assertThat(summary.get("items").get(0).get("detector").stringValue()).isEqualTo("inconsistent_agent");
    JsonNode group = delivered("alert.updated").stream().filter(e -> e.get("data").get("runId").asString("").equals("g-1"))
        .reduce((a, b) -> b).orElseThrow().get("data");
    assertThat(group.get("count").intValue()).isEqualTo(8);
    assertThat(delivered("alert.updated")).as("the seven findings after the first in one update, not seven")
        .filteredOn(e -> e.get("data").get("runId").asString("").equals("g-1")).hasSize(1);
    assertThat(group.get("message").stringValue()).contains("inconsistencies in run g-1");

    JsonNode listed = json(server.get("/api/v1/alerts?detector=flood_control", ADMIN_KEY).body()).get("alerts");
    assertThat(listed).singleElement().satisfies(a -> {
      assertThat(a.get("count").intValue()).isEqualTo(8 - RATE);
      assertThat(a.get("items")).hasSize(8 - RATE);
    });
    assertThat(json(server.get("/api/v1/alerts?detector=inconsistent_agent", ADMIN_KEY).body()).get("alerts"))
        .hasSize(RATE);
  }
}
