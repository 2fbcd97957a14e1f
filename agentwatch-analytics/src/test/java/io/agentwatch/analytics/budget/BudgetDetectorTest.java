package io.agentwatch.analytics.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Harness;
import io.agentwatch.analytics.Script;
import io.agentwatch.analytics.alert.AlertItem;
import io.agentwatch.analytics.alert.AlertView;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BudgetDetectorTest {

  private static final String FIVE_CENTS_PER_RUN =
      "{\"id\":\"b-run\",\"metric\":\"costUsd\",\"limit\":0.05,\"per\":\"run\"}";

  private static List<AlertItem> items(Harness h) {
    return h.tenant().allAlerts().stream().flatMap(a -> a.items().stream())
        .filter(i -> i.detector().equals(BudgetDetector.NAME)).toList();
  }

  @Test
  void aRunWarnsAtEightyPercentAndRaisesAtItsLimitNamingTheBiggestSpenderFirst() {
    Script s = new Script("r1").budget(FIVE_CENTS_PER_RUN)
        .llm("w1", 1000, 0.01, 100).llm("w2", 1000, 0.02, 100);
    Harness h = new Harness().feed(s.events());
    assertThat(h.findings(BudgetDetector.NAME)).as("$0.03 of $0.05 is 60%").isEmpty();

    s.llm("w2", 1000, 0.015, 100);
    String warned = s.last();
    h = new Harness().feed(s.events());
    assertThat(h.findings(BudgetDetector.NAME)).singleElement().satisfies(f -> {
      assertThat(f.get("severity").stringValue()).isEqualTo("warning");
      assertThat(Harness.agents(f)).containsExactly("w2", "w1");
      assertThat(Harness.message(f)).isEqualTo("Run r1 spent $0.05 in the run so far, 90% of budget '$0.05 per run'"
          + " ($0.05 per run): it warns at 80%. Biggest spender: w2.");
      assertThat(f.get("evidence").get(f.get("evidence").size() - 1).stringValue()).isEqualTo(warned);
      JsonNode facts = f.get("facts");
      assertThat(facts.get("spend").doubleValue()).isEqualTo(0.045, org.assertj.core.api.Assertions.within(1e-9));
      assertThat(facts.get("limit").doubleValue()).isEqualTo(0.05);
      assertThat(facts.get("subject").stringValue()).isEqualTo("r1");
    });

    s.llm("w1", 1000, 0.01, 100);
    h = new Harness().feed(s.events());
    assertThat(items(h)).extracting(AlertItem::severity).containsExactly("warning", "critical");
    assertThat(items(h).getLast().message()).contains("110% of budget", "the budget is exhausted");
    assertThat(h.raised(BudgetDetector.NAME)).as("both in one alert of the run").hasSize(1);
  }

  @Test
  void aRollingWindowForgetsWhatItSpentLongAgoAndResolvesWhenTheWindowMovesOn() {
    Script s = new Script("r1")
        .budget("{\"id\":\"b-agent\",\"metric\":\"tokens\",\"limit\":5000,\"per\":\"agent\",\"window\":\"1h\"}");
    for (int i = 0; i < 3; i++) {
      s.after(Duration.ofMinutes(1)).llm("w1", 2000, 0.001, 100);
    }
    s.llm("w2", 2000, 0.001, 100);
    Harness h = new Harness().feed(s.events());
    assertThat(items(h)).extracting(AlertItem::label).containsExactly("5,000 tokens per agent per 1h · agent w1 · warning",
        "5,000 tokens per agent per 1h · agent w1 · exhausted");
    assertThat(items(h)).allSatisfy(i -> assertThat(i.agents()).containsExactly("w1"));

    h.tick(Script.T0.plus(Duration.ofMinutes(65)));
    assertThat(items(h)).extracting(AlertItem::state).containsOnly("resolved");
    assertThat(items(h).getFirst().resolution()).startsWith("spend fell under 80% of the limit");
  }

  @Test
  void findingsOfAPerRunBudgetEndWithTheRunAndADeletedBudgetResolvesItsFindings() {
    Script s = new Script("r1").budget(FIVE_CENTS_PER_RUN).llm("w1", 1000, 0.06, 100);
    Script ended = new Script("r1", "ended").budget(FIVE_CENTS_PER_RUN).llm("w1", 1000, 0.06, 100).end("run.completed", "m");
    Harness h = new Harness().feed(ended.events());
    assertThat(items(h)).hasSize(2).allSatisfy(i -> assertThat(i.resolution()).isEqualTo("run r1 completed"));

    Harness deleted = new Harness().feed(s.deleteBudget("b-run").events());
    assertThat(items(deleted)).hasSize(2).allSatisfy(i -> assertThat(i.resolution()).isEqualTo("budget b-run was deleted"));
    assertThat(deleted.tenant().budgets(10)).isEmpty();
  }

  @Test
  void spendingBeforeABudgetWasSetDoesNotCountAndUsageIsAnsweredMostFirst() {
    Script s = new Script("r1").llm("w1", 1000, 1.0, 100)
        .budget("{\"id\":\"b-t\",\"metric\":\"llmCalls\",\"limit\":10,\"per\":\"agent\"}")
        .llm("w1", 10, 0, 1).llm("w2", 10, 0, 1).llm("w2", 10, 0, 1);
    Harness h = new Harness().feed(s.events());
    assertThat(h.tenant().budgets(10)).singleElement().satisfies(b -> {
      assertThat(b.usage()).extracting(BudgetDetector.Use::subject).containsExactly("w2", "w1");
      assertThat(b.usage().getFirst().share()).isEqualTo(0.2);
      assertThat(b.usage().getFirst().state()).isEqualTo("ok");
    });
  }

  @Test
  void aBudgetReplayedFromTheLogMakesTheSameFindings() {
    Script s = new Script("r1").budget(FIVE_CENTS_PER_RUN);
    for (int i = 0; i < 8; i++) {
      s.seconds(10).llm("w" + i % 3, 100, 0.01, 10);
    }
    Harness first = new Harness().feed(s.events());
    Harness again = new Harness().feed(s.events());
    assertThat(again.alerts).isEqualTo(first.alerts).isNotEmpty();
    assertThat(again.tenant().allAlerts()).extracting(AlertView::count).containsExactly(2);
  }
}
