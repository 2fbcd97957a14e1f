package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.openqa.selenium.WebElement;
import tools.jackson.databind.node.ObjectNode;

/**
 * Policies, budgets and commands in a real headless Chromium: a policy's automatic pauses show on
 * the run timeline and on the Policies & budgets page beside the budget bars; a command sent to a
 * disconnected agent shows pending, then rolls back with its reason. Screenshots in
 * {@code target/screenshots/policies-*.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoliciesBrowserTest {

  private static final int SECONDS = 10;
  private static final String RUN = "ui-loop";

  @TempDir
  static Path data;
  @TempDir
  static Path profile;

  private TestServer server;
  private Browser browser;

  @BeforeAll
  void start() {
    browser = Browser.open(profile);
    server = TestServer.start(data);
    post("/api/v1/policies", "{\"id\":\"p-ui\",\"name\":\"break loops\",\"match\":{\"detectors\":[\"routing_loop\"]},"
        + "\"action\":\"pause\",\"mode\":\"enforce\"}");
    post("/api/v1/budgets", "{\"id\":\"b-ui\",\"metric\":\"costUsd\",\"limit\":0.05,\"per\":\"run\"}");
    browser.go("http://127.0.0.1:" + server.port() + "/");
    browser.awaitText(".signin", "API key", SECONDS);
    browser.find("#key").sendKeys(ADMIN_KEY);
    browser.find(".signin button[type=submit]").click();
    browser.awaitText("[data-testid=connection]", "live", SECONDS);
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

  private void post(String path, String body) {
    HttpResponse<String> r = server.post(path, ADMIN_KEY, "application/json", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private void showRoute(String route) {
    browser.script("location.hash = arguments[0]", "#/" + route);
  }

  @Test
  @Order(1)
  void aPolicysAutomaticPauseAppearsOnTheRunTimeline() {
    // Three agents (not connected) pass one task around three times, and spend on the way.
    List<ObjectNode> events = new ArrayList<>();
    Instant t = Instant.now().minusSeconds(30);
    String[] ring = {"ra", "rb", "rc"};
    for (String agent : ring) {
      events.add(event("reg-" + agent, "agent.registered", agent, RUN, Map.of("role", "worker")));
    }
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 3; i++) {
        events.add(event("hop-" + round + "-" + i, "task.assigned", ring[i], RUN,
            Map.of("taskId", "hot", "assignee", ring[(i + 1) % 3])));
        events.add(event("spend-" + round + "-" + i, "llm.call", ring[i], RUN,
            Map.of("model", "m", "inputTokens", 100, "outputTokens", 50, "costUsd", 0.004)));
      }
    }
    for (int i = 0; i < events.size(); i++) {
      events.get(i).put("ts", t.plusMillis(500L * i).toString());
    }
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", Envelopes.array(events));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

    showRoute("run/" + RUN);
    browser.await(SECONDS, () -> browser.driver.findElements(By.cssSelector("[data-testid=timeline-action].auto-action"))
        .size() == 3, () -> "three automatic pauses on the timeline, but it shows: " + browser.text(".timeline"));
    WebElement mark = browser.driver.findElements(By.cssSelector("[data-testid=timeline-action].auto-action")).getFirst();
    assertThat(mark.getText()).contains("pause");
    assertThat(mark.findElement(By.tagName("title")).getAttribute("textContent"))
        .contains("automatic, by policy:p-ui", "break loops");
    browser.awaitText(".run-view .legend", "automatic action", SECONDS);
    browser.awaitText("[data-testid=loops]", "1 routing loop", SECONDS);
    browser.screenshot("policies-1-run-timeline");
  }

  @Test
  @Order(2)
  void thePoliciesPageShowsEachBudgetsUseAsABarAndThePolicysActions() {
    showRoute("policies");
    browser.awaitText("[data-testid=budget]", "$0.05 per run", SECONDS);
    browser.awaitText("[data-testid=budget-use]", RUN, SECONDS);
    assertThat(browser.text("[data-testid=budget-use]")).contains("$0.04 · 72 %");
    browser.awaitText("[data-testid=policies]", "break loops", SECONDS);
    browser.awaitText("[data-testid=policies]", "pause ra", SECONDS);
    assertThat(browser.text("[data-testid=policies]")).contains("enforce", "routing_loop");

    // A bad definition is refused, and the form says which field.
    WebElement limit = browser.find("[data-testid=new-budget] input[aria-label=limit]");
    limit.clear();
    limit.sendKeys("-3");
    browser.find("[data-testid=new-budget] button[type=submit]").click();
    browser.awaitText("[data-testid=budget-problem]", "limit: must be a positive amount", SECONDS);
    assertThat(browser.driver.findElements(By.cssSelector("[data-testid=new-budget] input.invalid"))).hasSize(1);
    browser.screenshot("policies-2-page");

    showRoute("alerts");
    browser.awaitText("[data-testid=alert-actions]", "policy p-ui issued pause to ra", SECONDS);
    browser.screenshot("policies-3-alert-actions");
  }

  @Test
  @Order(3)
  void aCommandToADisconnectedAgentShowsPendingThenRollsBackWithAVisibleReason() {
    showRoute("agent/rc");
    browser.awaitText(".commands", "policy:p-ui", SECONDS);
    browser.driver.findElements(By.cssSelector(".commands button[data-command=quarantine]")).getFirst().click();
    browser.driver.switchTo().alert().accept();
    browser.await(SECONDS, () -> "pending".equals(browser.script(
        "return document.querySelector('[data-testid=command-state]')?.dataset.phase")),
        () -> "the command pending, but it reads: " + browser.text(".commands"));
    browser.awaitText("[data-testid=command-state]", "Quarantine: pending", SECONDS);
    browser.awaitText("[data-testid=agent-status]", "quarantined…", SECONDS);
    browser.screenshot("policies-4-command-pending");

    browser.await(20, () -> "rolled-back".equals(browser.script(
        "return document.querySelector('[data-testid=command-state]')?.dataset.phase")),
        () -> "the command rolled back, but it reads: " + browser.text(".commands"));
    assertThat(browser.text("[data-testid=command-state]"))
        .contains("Quarantine rolled back: rc is not connected and did not answer within 10 s");
    assertThat(browser.text("[data-testid=agent-status]")).doesNotContain("quarantined");
    browser.screenshot("policies-5-command-rolled-back");
  }
}
