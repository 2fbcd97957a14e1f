package io.agentwatch.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.log.InMemoryPositionStore;
import io.agentwatch.core.rollup.Bucket;
import io.agentwatch.core.rollup.InMemoryRollupStore;
import io.agentwatch.core.rollup.RollupPoint;
import io.agentwatch.core.rollup.RollupQuery;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AnalyticsFollowerTest {

  private static List<StoredEvent> alerts(InMemoryEventLog log, String tenant) {
    return log.read(tenant, log.beginning(), new EventFilter(null, null, List.of("alert.*")), 1000);
  }

  private static AnalyticsFollower follower(InMemoryEventLog log, InMemoryPositionStore positions, Clock clock,
      Duration tick) {
    return new AnalyticsFollower(log, positions, new AnalyticsEngine(AnalyticsConfig.DEFAULTS), clock, tick).start();
  }

  @Test
  void alertsAreAppendedToTheTenantsOwnLogAndARestartAppendsNothingTwice() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog();
    InMemoryPositionStore positions = new InMemoryPositionStore();
    Script s = new Script("r1").assign("boss", "t1", "w1").after(Duration.ofMinutes(6)).log("boss");
    try (AnalyticsFollower f = follower(log, positions, Clock.systemUTC(), Duration.ZERO)) {
      log.append("acme", s.events()).join();
      log.append("other", new Script("r1", "o").log("boss").events()).join();
      assertThat(f.awaitApplied(log.head(), Duration.ofSeconds(10))).isTrue();
      assertThat(alerts(log, "acme")).extracting(e -> e.event().type()).containsExactly(AlertEvents.RAISED);
      assertThat(alerts(log, "other")).isEmpty();
      List<io.agentwatch.analytics.alert.AlertView> known = f.read(engine -> engine.tenant("acme").allAlerts());
      assertThat(known).hasSize(1);
    }
    assertThat(positions.load(AnalyticsFollower.READER)).isPresent();

    try (AnalyticsFollower again = follower(log, positions, Clock.systemUTC(), Duration.ZERO)) {
      log.append("acme", new Script("r1", "later").at(Script.T0.plus(Duration.ofMinutes(7))).progress("w1", "t1", 10)
          .events()).join();
      assertThat(again.awaitApplied(log.head(), Duration.ofSeconds(10))).isTrue();
      assertThat(alerts(log, "acme")).extracting(e -> e.event().type())
          .containsExactly(AlertEvents.RAISED, AlertEvents.RESOLVED);
      String state = again.read(engine -> engine.tenant("acme").allAlerts().getFirst().state());
      assertThat(state).isEqualTo("resolved");
    }
  }

  @Test
  void everyEventIsAppliedOnceWhileAlertsAreStillOnTheirWayIntoTheLog() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog();
    InMemoryRollupStore rollups = new InMemoryRollupStore();
    // Fifty alerts within a minute of event time: flood control must not hold any back here.
    AnalyticsConfig config = AnalyticsConfig.DEFAULTS.with(new AlertIssuer.Config(Duration.ofSeconds(30), 100));
    try (AnalyticsFollower f = new AnalyticsFollower(log, new InMemoryPositionStore(),
        new AnalyticsEngine(config), Clock.systemUTC(), Duration.ZERO).feeding(rollups).start()) {
      int appended = 0;
      for (int i = 0; i < 50; i++) {
        // Each batch completes a task assigned to someone else in a run of its own: every batch raises an alert.
        Script s = new Script("r" + i, "b" + i).assign("boss", "t" + i, "w1").complete("w2", "t" + i, "x").log("w3");
        log.append("acme", s.events()).join();
        appended += s.events().size();
      }
      assertThat(f.awaitApplied(log.head(), Duration.ofSeconds(10))).isTrue();
      long counted = rollups.query("acme", new RollupQuery(null, null, Bucket.HOUR, Instant.EPOCH,
          Instant.parse("3000-01-01T00:00:00Z"))).stream().mapToLong(RollupPoint::events).sum();
      assertThat(counted).as("each event counted once, the alerts not at all").isEqualTo(appended);
      assertThat(alerts(log, "acme")).hasSize(50);
    }
  }

  @Test
  void theRollupsItFeedsCountEachEventOnceWhenTheSameFollowerIsStartedAgain() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog();
    InMemoryRollupStore rollups = new InMemoryRollupStore();
    RollupQuery all = new RollupQuery(null, null, Bucket.HOUR, Instant.EPOCH, Instant.parse("3000-01-01T00:00:00Z"));
    AnalyticsFollower f = new AnalyticsFollower(log, new InMemoryPositionStore(),
        new AnalyticsEngine(AnalyticsConfig.DEFAULTS), Clock.systemUTC(), Duration.ZERO).feeding(rollups);
    List<Event> events = new Script("r1").log("boss").log("w1").log("w2").events();
    log.append("acme", events).join();

    for (int start = 0; start < 2; start++) {
      f.start();
      assertThat(f.awaitApplied(log.head(), Duration.ofSeconds(10))).isTrue();
      long counted = rollups.query("acme", all).stream().mapToLong(RollupPoint::events).sum();
      assertThat(counted).as("after start %d", start + 1).isEqualTo(events.size());
      f.close();
    }
  }

  @Test
  void aWallClockTickReportsALostAgentWhileItsTenantIsSilent() throws Exception {
    InMemoryEventLog log = new InMemoryEventLog();
    AtomicReference<Instant> wall = new AtomicReference<>(Instant.now());
    Clock clock = new Clock() {
      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return wall.get();
      }
    };
    try (AnalyticsFollower f = follower(log, new InMemoryPositionStore(), clock, Duration.ofMillis(1))) {
      log.append("acme", new Script("r1").heartbeat("w1").events()).join();
      assertThat(f.awaitApplied(log.head(), Duration.ofSeconds(10))).isTrue();
      assertThat(alerts(log, "acme")).isEmpty();
      wall.set(wall.get().plusSeconds(120));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (alerts(log, "acme").isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<StoredEvent> alerts = alerts(log, "acme");
      assertThat(alerts).singleElement().satisfies(a -> {
        assertThat(a.event().data().get("detector").stringValue()).isEqualTo("lost_agent");
        assertThat(a.event().ts()).as("the deadline, not the tick").isEqualTo(Script.T0.plusSeconds(90));
      });
    }
  }
}
