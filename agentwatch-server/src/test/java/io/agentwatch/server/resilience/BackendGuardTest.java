package io.agentwatch.server.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.testing.MutableClock;
import io.agentwatch.model.Cursor;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendGuardTest {

  private static final ResilienceSettings SETTINGS = new ResilienceSettings(10, 4, 50, Duration.ofSeconds(5), 2, 3,
      Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofMillis(300));

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T10:00:00Z"));
  private final BackendGuard guard = new BackendGuard("postgres", SETTINGS, clock);

  private static RuntimeException outage() {
    return new UnavailableException("connection refused");
  }

  private void failWrites(int times) {
    for (int i = 0; i < times; i++) {
      try {
        guard.write(() -> {
          throw outage();
        });
      } catch (UnavailableException expected) {
        // counted by the breaker
      }
    }
  }

  @Test
  void aFailedCallIsReportedAsTheNamedBackendBeingUnavailable() {
    assertThatThrownBy(() -> guard.write(() -> {
      throw outage();
    })).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
      assertThat(e.backend()).isEqualTo("postgres");
      assertThat(e.circuitOpen()).isFalse();
      assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
      assertThat(e).hasMessageContaining("connection refused");
    });
  }

  @Test
  void repeatedOutagesOpenTheCircuitWhichThenRefusesWithoutCallingAndSaysWhenToRetry() {
    failWrites(4);
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(() -> guard.write(calls::incrementAndGet))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
          assertThat(e.circuitOpen()).isTrue();
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        });
    assertThat(calls).hasValue(0);
  }

  @Test
  void afterTheOpenTimeSuccessfulProbesCloseTheCircuitAgainWithoutAnyoneResettingIt() {
    failWrites(4);
    clock.advance(Duration.ofSeconds(4));
    assertThatThrownBy(() -> guard.check(() -> {})).isInstanceOf(BackendUnavailableException.class);
    clock.advance(Duration.ofSeconds(2));
    guard.check(() -> {});
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(guard.isClosed()).isFalse();
    guard.check(() -> {});
    assertThat(guard.isClosed()).isTrue();
  }

  @Test
  void aProbeThatFailsOpensTheCircuitAgain() {
    failWrites(4);
    clock.advance(Duration.ofSeconds(6));
    failWrites(2);
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aCallersMistakeNeitherCountsAsAnOutageNorIsRenamed() {
    StaleCursorException stale = new StaleCursorException(Cursor.beginning("other", 1), Cursor.beginning("mine", 1));
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(() -> guard.read(() -> {
        throw stale;
      })).isSameAs(stale);
    }
    assertThat(guard.isClosed()).isTrue();
  }

  @Test
  void aReadIsRetriedAfterATransientOutageButAWriteIsNot() {
    AtomicInteger reads = new AtomicInteger();
    String value = guard.read(() -> {
      if (reads.incrementAndGet() < 3) {
        throw outage();
      }
      return "ok";
    });
    assertThat(value).isEqualTo("ok");
    assertThat(reads).hasValue(3);

    AtomicInteger writes = new AtomicInteger();
    assertThatThrownBy(() -> guard.write(() -> {
      writes.incrementAndGet();
      throw outage();
    })).isInstanceOf(BackendUnavailableException.class);
    assertThat(writes).hasValue(1);
  }

  @Test
  void aReadRefusedByTheOpenCircuitIsNotRetried() {
    failWrites(4);
    AtomicInteger reads = new AtomicInteger();
    assertThatThrownBy(() -> guard.read(reads::incrementAndGet)).isInstanceOf(BackendUnavailableException.class);
    assertThat(reads).hasValue(0);
  }

  @Test
  void anAsynchronousWriteReportsItsOutcomeToTheBreaker() {
    for (int i = 0; i < 4; i++) {
      CompletableFuture<String> failed = guard.writeAsync(() -> CompletableFuture.failedFuture(outage()));
      assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(BackendUnavailableException.class);
    }
    assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
    AtomicInteger calls = new AtomicInteger();
    CompletableFuture<Integer> refused = guard.writeAsync(() -> CompletableFuture.completedFuture(calls.incrementAndGet()));
    assertThatThrownBy(refused::join).hasCauseInstanceOf(BackendUnavailableException.class);
    assertThat(calls).hasValue(0);

    clock.advance(Duration.ofSeconds(6));
    assertThat(guard.writeAsync(() -> CompletableFuture.completedFuture("a")).join()).isEqualTo("a");
    assertThat(guard.writeAsync(() -> CompletableFuture.completedFuture("b")).join()).isEqualTo("b");
    assertThat(guard.isClosed()).isTrue();
  }

  @Test
  void anAppendThatGetsNoAnswerInTimeFailsAsAnOutage() {
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<String> guarded = guard.writeAsync(() -> never);
    assertThatThrownBy(guarded::join).hasCauseInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("no answer within");
    assertThat(never).as("the backend's own future is left to finish").isNotDone();
  }

  @Test
  void anOutageOfAnotherBackendUnderThisOneIsReportedAsThatOneAndNotCountedHere() {
    BackendUnavailableException redisDown = new BackendUnavailableException("redis", "redis is unavailable",
        Duration.ofSeconds(1), new UnavailableException("connection refused"));
    for (int i = 0; i < 10; i++) {
      CompletableFuture<String> append = guard.writeAsync(() -> CompletableFuture.failedFuture(
          new UnavailableException("cannot check event ids: " + redisDown.getMessage(), redisDown)));
      assertThatThrownBy(append::join).hasCause(redisDown);
    }
    assertThat(guard.isClosed()).as("this backend's circuit").isTrue();
  }

  @Test
  void aProbeThatFailsReportsTheBackendDownAndCountsAsAnOutage() {
    boolean[] up = {true};
    BackendGuard probed = new BackendGuard("redis", SETTINGS, clock, () -> {
      if (!up[0]) {
        throw new UnavailableException("connection refused");
      }
    });
    probed.probe();
    up[0] = false;
    for (int i = 0; i < 4; i++) {
      assertThatThrownBy(probed::probe).isInstanceOf(BackendUnavailableException.class);
    }
    assertThat(probed.state()).isEqualTo(CircuitBreaker.State.OPEN);
    up[0] = true;
    assertThatThrownBy(probed::probe).as("open until the probes succeed").hasMessageContaining("circuit");
    clock.advance(Duration.ofSeconds(6));
    assertThatThrownBy(probed::probe).as("one good probe of two: still half open").hasMessageContaining("half_open");
    probed.probe();
    assertThat(probed.isClosed()).isTrue();
  }

  @Test
  void settingsOutOfRangeAreRefusedWithTheirValue() {
    assertThatThrownBy(() -> new ResilienceSettings(10, 11, 50, Duration.ofSeconds(5), 2, 3, Duration.ofMillis(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1))).hasMessageContaining("minimum-calls").hasMessageContaining("11");
    assertThatThrownBy(() -> new ResilienceSettings(10, 4, 150, Duration.ofSeconds(5), 2, 3, Duration.ofMillis(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1))).hasMessageContaining("failure-rate").hasMessageContaining("150");
    assertThatThrownBy(() -> new ResilienceSettings(10, 4, 50, Duration.ZERO, 2, 3, Duration.ofMillis(1),
        Duration.ofSeconds(1), Duration.ofSeconds(1))).hasMessageContaining("open-for");
  }
}
