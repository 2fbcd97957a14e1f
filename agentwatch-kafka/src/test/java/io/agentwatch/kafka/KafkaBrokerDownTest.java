package io.agentwatch.kafka;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.IdLedger;
import io.agentwatch.core.log.IdLedger.Claim;
import io.agentwatch.core.log.InMemoryIdLedger;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.testing.RequiredService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.junit.jupiter.api.Test;

/** A broker of its own, stopped under a running log. */
class KafkaBrokerDownTest {

  private static final Duration APPEND_TIMEOUT = Duration.ofSeconds(3);

  @Test
  void appendsFailAsUnavailableWithinTheTimeoutOnceTheBrokerIsGoneAndNothingIsConfirmed() throws Exception {
    KafkaClusterTestKit cluster;
    try {
      cluster = TestBroker.start();
    } catch (Exception e) {
      RequiredService.require(false, "a second in-process Kafka broker (" + e + ")", "see TestBroker");
      return;
    }
    InMemoryIdLedger ledger = new InMemoryIdLedger(Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofHours(1));
    KafkaLogConfig config = TestBroker.config(cluster.bootstrapServers(), "down")
        .withTimeouts(APPEND_TIMEOUT, APPEND_TIMEOUT, Duration.ofMillis(300));
    KafkaEventLog log = KafkaEventLog.open(config, ledger, Clock.systemUTC());
    try {
      assertThat(log.append("t1", List.of(log("before", "w1"))).join().getFirst().isDuplicate()).isFalse();

      TestBroker.stop(cluster);
      long started = System.nanoTime();
      CompletableFuture<?> append = log.append("t1", List.of(log("after-1", "w1"), log("after-2", "w2")));
      // Appends that queue behind the failing group fail by their own deadline, not after it.
      List<CompletableFuture<?>> queued = new ArrayList<>();
      List<CompletableFuture<Duration>> waits = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Thread.sleep(400);
        long submitted = System.nanoTime();
        CompletableFuture<?> q = log.append("t1", List.of(log("queued-" + i, "w3")));
        queued.add(q);
        waits.add(q.handle((results, failure) -> Duration.ofNanos(System.nanoTime() - submitted)));
      }

      assertThatThrownBy(() -> append.get(APPEND_TIMEOUT.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS))
          .hasCauseInstanceOf(UnavailableException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(APPEND_TIMEOUT.multipliedBy(4));
      for (int i = 0; i < queued.size(); i++) {
        CompletableFuture<?> q = queued.get(i);
        assertThatThrownBy(() -> q.get(APPEND_TIMEOUT.multipliedBy(4).toMillis(), TimeUnit.MILLISECONDS))
            .hasCauseInstanceOf(UnavailableException.class);
        assertThat(waits.get(i).join()).as("queued append %d", i)
            .isLessThan(APPEND_TIMEOUT.plus(Duration.ofMillis(1500)));
      }
      // Released, not confirmed: a retry once Kafka is back writes the events instead of calling them duplicates.
      // The caller was answered at its deadline; the writer lets go of the ids once its own attempt has failed.
      List<IdLedger.Key> keys = List.of(new IdLedger.Key("t1", "after-1"), new IdLedger.Key("t1", "after-2"),
          new IdLedger.Key("t1", "before"));
      List<Claim> claims = ledger.reserve("retry", keys);
      long giveUp = System.nanoTime() + APPEND_TIMEOUT.multipliedBy(4).toNanos();
      while (claims.contains(Claim.PENDING) && System.nanoTime() < giveUp) {
        Thread.sleep(50);
        claims = ledger.reserve("retry", keys);
      }
      assertThat(claims).containsExactly(Claim.RESERVED, Claim.RESERVED, Claim.CONFIRMED);
      assertThatThrownBy(log::check).isInstanceOf(UnavailableException.class);
    } finally {
      log.close();
    }
  }
}
