package io.agentwatch.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.Traffic.Fault;
import io.agentwatch.analytics.Traffic.Injected;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.model.Event;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * Properties over seeded random manager/worker traffic: every injected fault is detected, clean
 * traffic raises nothing, every alert of a faulty run is explained by one of its faults, and
 * replaying the log (with the alerts the first pass appended) makes exactly the same alerts.
 * Each failure message names the seed that reproduces it.
 */
class DetectionPropertyTest {

  private static final int TRIES = 12;
  private static final long BASE_SEED = Long.getLong("analytics.seed", 20261128L);

  @Test
  void cleanManagerWorkerTrafficRaisesNoAlert() {
    for (int i = 0; i < TRIES; i++) {
      long seed = BASE_SEED + i;
      Traffic t = Traffic.generate("clean-" + i, seed, 3 + (int) (seed % 5), 15, Set.of());
      Harness h = new Harness().feed(t.events);
      assertThat(h.raised()).as("seed %d: clean traffic raised %s", seed, messages(h.raised())).isEmpty();
    }
  }

  @Test
  void everyInjectedFaultIsDetectedAndEveryAlertIsExplainedByAFault() {
    for (int i = 0; i < TRIES; i++) {
      long seed = BASE_SEED + 1000 + i;
      Random random = new Random(seed);
      EnumSet<Fault> faults = EnumSet.noneOf(Fault.class);
      for (Fault f : Fault.values()) {
        if (random.nextInt(3) > 0) {
          faults.add(f);
        }
      }
      Traffic t = Traffic.generate("faulty-" + i, seed, 3 + random.nextInt(5), 12, faults);
      Harness h = new Harness().feed(t.events);
      for (Injected fault : t.injected) {
        assertThat(h.findings()).as("seed %d: %s not detected among %s", seed, fault, findings(h.findings()))
            .anySatisfy(a -> {
              assertThat(a.get("detector").stringValue()).isEqualTo(fault.detector());
              assertThat(Harness.agents(a)).containsAnyElementsOf(fault.agents());
            });
      }
      for (JsonNode finding : h.findings()) {
        assertThat(t.injected).as("seed %d: unexplained finding %s", seed, Harness.message(finding))
            .anySatisfy(fault -> {
              assertThat(allowed(fault)).contains(finding.get("detector").stringValue());
              assertThat(Harness.agents(finding)).containsAnyElementsOf(fault.agents());
            });
      }

    }
  }

  /** Besides its own detector, a fault may show as an anomaly of its agents; a loop leaves its task stuck. */
  private static Set<String> allowed(Injected fault) {
    Set<String> allowed = new HashSet<>(List.of(fault.detector(), "anomaly"));
    if (fault.fault() == Fault.LOOP) {
      allowed.add("stuck_task");
    }
    return allowed;
  }

  @Test
  void replayingTheLogWithItsAlertsMakesIdenticalAlertsAndAppendsNothingNew() {
    for (int i = 0; i < TRIES / 2; i++) {
      long seed = BASE_SEED + 2000 + i;
      Traffic t = Traffic.generate("replay-" + i, seed, 4, 12, EnumSet.allOf(Fault.class));
      AnalyticsEngine first = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
      List<Event> log = new ArrayList<>();
      List<Event> alerts = new ArrayList<>();
      for (Event e : t.events) {
        log.add(e);
        List<Event> raised = first.apply("t", e, e.ts());
        log.addAll(raised);
        alerts.addAll(raised);
      }
      assertThat(alerts).as("seed %d", seed).isNotEmpty();

      AnalyticsEngine second = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
      List<Event> again = new ArrayList<>();
      for (Event e : log) {
        again.addAll(second.apply("t", e, e.ts()));
      }
      assertThat(again).as("seed %d: a replay over the log makes the same alert events", seed).isEqualTo(alerts);
      assertThat(second.tenant("t").allAlerts()).as("seed %d", seed).isEqualTo(first.tenant("t").allAlerts());

      AnalyticsEngine resumed = new AnalyticsEngine(AnalyticsConfig.DEFAULTS);
      int cut = log.size() / 2;
      log.subList(0, cut).forEach(e -> resumed.apply("t", e, e.ts()));
      List<Event> afterRestart = new ArrayList<>();
      for (Event e : log.subList(cut, log.size())) {
        afterRestart.addAll(resumed.apply("t", e, e.ts()));
      }
      List<String> laterIds = log.subList(cut, log.size()).stream()
          .filter(e -> AlertEvents.isAlert(e.type())).map(Event::id).toList();
      assertThat(afterRestart).as("seed %d: every alert made after a restart is already in the log", seed)
          .allSatisfy(a -> assertThat(log.stream().map(Event::id)).contains(a.id()));
      assertThat(afterRestart.stream().map(Event::id).toList()).as("seed %d", seed).isSubsetOf(laterIds);
    }
  }

  private static List<String> findings(List<JsonNode> findings) {
    return findings.stream().map(a -> a.get("detector").stringValue() + ": " + Harness.message(a)).toList();
  }

  private static List<String> messages(List<Event> alerts) {
    return alerts.stream().map(a -> a.data().get("detector").stringValue() + ": " + Harness.message(a)).toList();
  }
}
