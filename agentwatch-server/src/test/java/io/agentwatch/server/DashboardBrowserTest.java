package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The dashboard in a real headless Chromium against the real server: sign in, watch events sent
 * through the API appear in every view, and survive a server restart without a duplicate or a hole.
 * Each view's screenshot is kept in {@code agentwatch-server/target/screenshots}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

  /** Long enough for a loaded CI machine; the views normally update within a few hundred ms. */
  private static final int SECONDS = 5;

  @TempDir
  static Path data;
  @TempDir
  static Path profile;

  private int port;
  private TestServer server;
  private Browser browser;

  @BeforeAll
  void start() {
    port = freePort();
    browser = Browser.open(profile);
    server = TestServer.startOnPort(port, data);
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void signingInKeepsTheKeyOutOfUrlsAndLocalStorage() {
    browser.go("http://127.0.0.1:" + port + "/");
    browser.awaitText(".signin", "API key", SECONDS);
    // A fresh profile on a server with auth on: no sign-out message, nothing failed in the console.
    waitForQuiet();
    assertThat(browser.driver.findElements(By.cssSelector(".signin .error"))).isEmpty();
    assertThat(browser.text(".signin")).doesNotContain("401").doesNotContain("no longer accepts");
    assertThat(browser.consoleErrors()).as("console errors on the sign-in page").isEmpty();
    browser.screenshot("0-sign-in");
    browser.find("#key").sendKeys(ADMIN_KEY);
    browser.find(".signin button[type=submit]").click();

    browser.awaitText("[data-testid=connection]", "live", SECONDS);
    assertThat(browser.driver.getCurrentUrl()).doesNotContain(ADMIN_KEY);
    assertThat(browser.script("return localStorage.length")).isEqualTo(0L);
    assertThat(browser.script("return JSON.stringify(performance.getEntries().map(e => e.name))"))
        .asString().doesNotContain(ADMIN_KEY);
    browser.awaitText(".overview", "No agent has sent events yet", SECONDS);
  }

  @Test
  @Order(2)
  void eventsSentThroughTheApiShowInTheOverview() {
    ingest(scenario());
    long acked = System.nanoTime();

    browser.awaitText(".cards", "worker-2", SECONDS);
    System.out.printf("the overview showed the events %d ms after the API acknowledged them%n",
        (System.nanoTime() - acked) / 1_000_000);
    browser.awaitText(".cards", "Planner", SECONDS);
    awaitAppliedSinceSignIn();
    browser.awaitText(".grid-table", "1/2 done, 1 failed", SECONDS);
    assertThat(browser.text(".cards")).contains("manager").contains("1✗");
    browser.screenshot("1-overview");
  }

  @Test
  @Order(3)
  void theLiveEventListFiltersAndShowsAnEventsJson() {
    showRoute("events");
    browser.awaitText(".events-view", "Please summarise the report", SECONDS);
    browser.await(SECONDS, () -> browser.text(".events-view").contains(logSize() + " shown"),
        () -> "the list to show all " + logSize() + " events but it reads: " + browser.text(".toolbar"));

    browser.find(".toolbar input[placeholder^='type prefix']").sendKeys("task.");
    browser.awaitText(".events-view", "7 shown", SECONDS);
    browser.driver.findElements(By.cssSelector(".erow")).stream()
        .filter(row -> row.getText().contains("task.failed")).findFirst().orElseThrow().click();
    browser.awaitText(".drawer", "\"error\": \"quota exceeded\"", SECONDS);
    browser.screenshot("2-live-events");
  }

  @Test
  @Order(4)
  void theRunViewShowsLanesTheTranscriptAndTotals() {
    showRoute("run/run-ui");
    browser.awaitText(".run-view", "Summary ready", SECONDS);
    browser.awaitText(".run-view .timeline", "worker-1", SECONDS);
    assertThat(browser.text(".run-view")).contains("Please summarise the report").contains("$0.0123");
    assertThat(browser.driver.findElements(By.cssSelector(".timeline line.msg"))).hasSize(2);
    assertThat((Boolean) browser.script("""
        const svg = document.querySelector('.timeline svg').getBoundingClientRect();
        const ticks = [...document.querySelectorAll('.timeline [data-testid=tick]')].map(t => t.getBoundingClientRect());
        return ticks.length > 0 && ticks.every(t => t.left >= svg.left - 0.5 && t.right <= svg.right + 0.5);"""))
        .as("every time label of the timeline lies within it").isTrue();
    // The events were stamped up to now, so this minute is still filling: drawn apart, not as a drop.
    browser.await(SECONDS, () -> !browser.driver.findElements(By.cssSelector("[data-testid=partial-point]")).isEmpty(),
        () -> "a partial rollup point in: " + browser.text("[data-testid=rollups]"));
    assertThat(browser.text("[data-testid=rollups]")).contains("this minute so far");
    browser.screenshot("3-run");
  }

  @Test
  @Order(5)
  void theAgentViewShowsCallsAndErrors() {
    showRoute("agent/worker-1");
    browser.awaitText(".agent-view", "search", SECONDS);
    browser.awaitText(".agent-view", "gpt-x", SECONDS);
    showRoute("agent/worker-2");
    browser.awaitText(".agent-view", "quota exceeded", SECONDS);
    browser.screenshot("4-agent");
  }

  @Test
  @Order(6)
  void aCommandButtonReachesTheConnectedAgentAndShowsItsAnswer() {
    try (TestSocket agent = server.socket(ADMIN_KEY)) {
      agent.send(Map.of("op", "hello", "agentId", "worker-1"));
      agent.next("welcome", SECONDS);
      showRoute("agent/worker-1");
      browser.awaitText(".commands", "No command has been sent", SECONDS);
      browser.find(".commands input").sendKeys("stuck on the report");
      browser.driver.findElements(By.cssSelector(".commands button")).stream()
          .filter(b -> b.getText().equals("Pause")).findFirst().orElseThrow().click();

      JsonNode command = agent.next("command", SECONDS).get("command");
      assertThat(command.get("type").stringValue()).isEqualTo("pause");
      assertThat(command.get("reason").stringValue()).isEqualTo("stuck on the report");
      browser.awaitText(".commands", "pending", SECONDS);
      String id = command.get("id").stringValue();
      agent.send(Map.of("op", "publish", "events", List.of(Map.of("id", "ack-" + id, "type", "command.acknowledged",
          "agentId", "worker-1", "parentId", id, "ts", Instant.now().toString(),
          "data", Map.of("commandId", id, "outcome", "applied")))));
      agent.next("ack", SECONDS);
      browser.awaitText(".commands", "applied", SECONDS);
      browser.screenshot("5-agent-commands");
    }
  }

  @Test
  @Order(7)
  void anAlertRaisedByTheAnalyticsShowsInTheAlertsViewWithItsEvidence() {
    ingest(List.of(
        event("ui-alert-1", "task.assigned", "manager-1", "run-ui", Map.of("taskId", "t3", "assignee", "worker-1")),
        event("ui-alert-2", "task.completed", "worker-2", "run-ui", Map.of("taskId", "t3"))));

    browser.awaitText("[data-testid=open-alerts]", "1", SECONDS);
    showRoute("alerts");
    browser.awaitText(".alerts-view", "inconsistent_agent", SECONDS);
    browser.driver.findElements(By.cssSelector(".alert button.link")).stream()
        .filter(b -> b.getText().equals("ui-alert-2")).findFirst().orElseThrow().click();
    browser.awaitText(".alert .evidence", "\"id\": \"ui-alert-2\"", SECONDS);
    browser.screenshot("6-alerts");
  }

  @Test
  @Order(8)
  void aQuarantineFromTheAgentViewReachesTheAgentAndIsolatesItOnTheGraph() {
    try (TestSocket agent = server.socket(ADMIN_KEY)) {
      agent.send(Map.of("op", "hello", "agentId", "worker-2"));
      agent.next("welcome", SECONDS);
      showRoute("agent/worker-2");
      browser.awaitText(".commands", "No command has been sent", SECONDS);
      browser.driver.findElements(By.cssSelector(".commands button")).stream()
          .filter(b -> b.getText().equals("Quarantine")).findFirst().orElseThrow().click();
      browser.driver.switchTo().alert().accept();

      JsonNode command = agent.next("command", SECONDS).get("command");
      assertThat(command.get("type").stringValue()).isEqualTo("quarantine");
      String id = command.get("id").stringValue();
      String now = Instant.now().toString();
      agent.send(Map.of("op", "publish", "events", List.of(
          Map.of("id", "ack-" + id, "type", "command.acknowledged", "agentId", "worker-2", "parentId", id, "ts", now,
              "data", Map.of("commandId", id, "outcome", "applied")),
          Map.of("id", "quarantined-" + id, "type", "agent.status", "agentId", "worker-2", "runId", "run-ui",
              "ts", now, "data", Map.of("status", "quarantined")))));
      agent.next("ack", SECONDS);
    }
    showRoute("run/run-ui");
    browser.awaitText(".graph-view", "quarantined: worker-2", SECONDS);
    assertThat(browser.driver.findElements(By.cssSelector("[data-testid=graph] canvas"))).isNotEmpty();
    assertThat(browser.text(".graph-view .stats")).as("the stats line keeps its parts apart")
        .containsPattern("agents\\s+\\d+ links").doesNotContainPattern("agents\\d|links\\w|\\d(clustering|avg|loops)");
    browser.screenshot("7-run-graph");
  }

  @Test
  @Order(9)
  void afterAServerRestartThePageResumesAndShowsTheEventsSentMeanwhileExactlyOnce() {
    showRoute("events");
    server.close();
    server = null;
    browser.awaitText("[data-testid=connection]", "reconnecting", SECONDS);
    browser.screenshot("8-reconnecting");

    server = TestServer.startOnPort(port, data);
    List<ObjectNode> meanwhile = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      meanwhile.add(event("restart-" + i, "log", "worker-1", "run-ui",
          Map.of("level", "info", "message", "sent while the page was away #" + i)));
    }
    ingest(meanwhile);

    browser.awaitText("[data-testid=connection]", "live", 30);
    browser.find(".toolbar input[placeholder='free text']").sendKeys("sent while the page was away");
    browser.awaitText(".events-view", "50 shown", SECONDS);
    awaitAppliedSinceSignIn();
    browser.screenshot("9-after-restart");
  }

  @Test
  @Order(10)
  void aFinishedRunStaysOnTheRunsPageAndTheOverviewAndOneClickOpensIt() {
    ingest(List.of(event("ui-run-done", "run.completed", "manager-1", "run-ui", Map.of())));
    browser.driver.navigate().refresh();
    browser.awaitText("[data-testid=connection]", "live", SECONDS);

    browser.awaitText("[data-testid=recent-runs]", "run-ui", SECONDS);
    // Errors come from the server's rollups: a reloaded page (counting from zero) still shows them.
    browser.await(SECONDS, () -> !browser.text("[data-testid=errors-30m]").equals("0")
            && !browser.text("[data-testid=errors-30m]").isEmpty(),
        () -> "the errors of the last 30 min but it reads " + browser.text("[data-testid=errors-30m]"));
    assertThat(browser.consoleErrors()).as("console errors after the restart and reload")
        .allSatisfy(e -> assertThat(e).doesNotContain("401"));

    showRoute("runs");
    browser.awaitText(".runs-view", "run-ui", SECONDS);
    browser.find(".runs-view input[type=search]").sendKeys("run-u");
    browser.await(SECONDS, () -> browser.driver.findElements(By.cssSelector(".runs-table tbody tr")).size() == 1,
        () -> "the search to leave one run but the page reads: " + browser.text(".runs-view"));
    browser.awaitText(".runs-table", "completed", SECONDS);
    browser.screenshot("10-runs");
    browser.driver.findElement(By.linkText("run-ui")).click();
    browser.awaitText(".run-view h1", "completed", SECONDS);
    assertThat(browser.driver.getCurrentUrl()).endsWith("#/run/run-ui");
  }

  @Test
  @Order(11)
  void everyViewFitsAPhoneWhereAlertsAreReadAndAnAgentIsPaused() {
    browser.resize(390, 844);
    try {
      for (String route : List.of("overview", "runs", "events", "run/run-ui", "agent/worker-1", "alerts")) {
        showRoute(route);
        browser.await(SECONDS, () -> !browser.text("main").isBlank() && !browser.text("main").contains("Loading"),
            () -> route + " to load");
        assertThat((Boolean) browser.script("""
            const main = document.querySelector('main');
            return document.documentElement.scrollWidth <= window.innerWidth && main.scrollWidth <= main.clientWidth + 1;"""))
            .as(route + " is no wider than the phone (wide tables scroll inside their own box)").isTrue();
        browser.screenshot("phone-" + route.replace('/', '-'));
      }
      showRoute("alerts");
      browser.awaitText(".alerts-view", "inconsistent_agent", SECONDS);

      try (TestSocket agent = server.socket(ADMIN_KEY)) {
        agent.send(Map.of("op", "hello", "agentId", "worker-1"));
        agent.next("welcome", SECONDS);
        showRoute("agent/worker-1");
        browser.awaitText(".commands", "Pause", SECONDS);
        browser.driver.findElements(By.cssSelector(".commands button")).stream()
            .filter(b -> b.getText().equals("Pause")).findFirst().orElseThrow().click();
        assertThat(agent.next("command", SECONDS).get("command").get("type").stringValue()).isEqualTo("pause");
        browser.screenshot("phone-agent-paused");
      }

      browser.find("header button.ghost").click();
      browser.awaitText(".signin", "API key", SECONDS);
      browser.screenshot("phone-sign-in");
    } finally {
      browser.resize(1400, 900);
    }
  }

  /** Lets the page's first requests finish, so their console entries are in. */
  private void waitForQuiet() {
    browser.await(SECONDS, () -> (Boolean) browser.script(
        "return performance.getEntriesByType('resource').every(e => e.responseEnd > 0)"), () -> "requests to settle");
  }

  /**
   * The dashboard's count of live events since sign-in (on an empty log) equals the number of events
   * in the log, the analytics' alerts included: none lost, none twice.
   */
  private void awaitAppliedSinceSignIn() {
    showRoute("overview");
    browser.await(SECONDS, () -> browser.text("[data-testid=applied]").equals(String.valueOf(logSize())),
        () -> "the overview to count " + logSize() + " events since sign-in but it reads: "
            + browser.text("[data-testid=applied]"));
  }

  /** How many events the tenant's log holds, read page by page from the history API. */
  private int logSize() {
    int count = 0;
    String after = "";
    while (true) {
      JsonNode page = TestServer.json(server.get("/api/v1/events?limit=1000" + after, ADMIN_KEY).body());
      count += page.get("events").size();
      JsonNode next = page.get("next");
      if (next == null || next.isNull() || page.get("events").isEmpty()) {
        return count;
      }
      after = "&after=" + next.stringValue();
    }
  }

  private void showRoute(String route) {
    browser.script("location.hash = arguments[0]", "#/" + route);
  }

  /** Sends events stamped one second apart and ending now, as live agents would. */
  private void ingest(List<ObjectNode> events) {
    Instant first = Instant.now().minusSeconds(events.size());
    for (int i = 0; i < events.size(); i++) {
      events.get(i).put("ts", first.plusSeconds(i).toString());
    }
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", Envelopes.array(events));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(TestServer.json(r.body()).get("accepted").asInt()).isEqualTo(events.size());
  }

  /** A manager delegating one task that succeeds and one that fails, with messages, a tool and a model call. */
  private static List<ObjectNode> scenario() {
    String run = "run-ui";
    return List.of(
        event("ui-1", "agent.registered", "manager-1", null, Map.of("role", "manager", "name", "Planner")),
        event("ui-2", "agent.registered", "worker-1", null, Map.of("role", "worker")),
        event("ui-3", "agent.registered", "worker-2", null, Map.of("role", "worker")),
        event("ui-4", "agent.heartbeat", "worker-1", null, Map.of("cpu", 12, "memoryMb", 256, "queueDepth", 1)),
        event("ui-5", "task.created", "manager-1", run, Map.of("taskId", "t1", "title", "Summarise the report")),
        event("ui-6", "task.assigned", "manager-1", run, Map.of("taskId", "t1", "assignee", "worker-1")),
        event("ui-7", "message.sent", "manager-1", run, Map.of("to", "worker-1", "content", "Please summarise the report")),
        event("ui-8", "task.started", "worker-1", run, Map.of("taskId", "t1")),
        event("ui-9", "tool.called", "worker-1", run, Map.of("tool", "search")),
        event("ui-10", "tool.result", "worker-1", run, Map.of("tool", "search", "durationMs", 120)),
        event("ui-11", "llm.call", "worker-1", run,
            Map.of("model", "gpt-x", "inputTokens", 1200, "outputTokens", 300, "costUsd", 0.0123, "latencyMs", 850)),
        event("ui-12", "message.sent", "worker-1", run, Map.of("to", "manager-1", "content", "Summary ready")),
        event("ui-13", "task.completed", "worker-1", run, Map.of("taskId", "t1")),
        event("ui-14", "task.created", "manager-1", run, Map.of("taskId", "t2", "assignee", "worker-2")),
        event("ui-15", "task.started", "worker-2", run, Map.of("taskId", "t2")),
        event("ui-16", "task.failed", "worker-2", run, Map.of("taskId", "t2", "error", "quota exceeded")),
        event("ui-17", "error.occurred", "worker-2", run, Map.of("message", "quota exceeded")));
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
