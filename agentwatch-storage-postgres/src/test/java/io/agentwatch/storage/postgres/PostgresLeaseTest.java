package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

class PostgresLeaseTest {

  private static final Duration EVERY = Duration.ofMillis(100);

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void oneNodeAtATimeHoldsARoleAndAnotherTakesItWhenTheHolderGoes() throws Exception {
    try (PostgresDatabase db = PostgresFixture.newDatabase()) {
      PostgresLease a = PostgresLease.start(db, "sender", EVERY);
      PostgresLease b = PostgresLease.start(db, "sender", EVERY);
      PostgresLease c = PostgresLease.start(db, "sender", EVERY);
      List<PostgresLease> all = List.of(a, b, c);
      await("a holder", () -> all.stream().anyMatch(PostgresLease::held));
      for (int i = 0; i < 10; i++) {
        assertThat(all.stream().filter(PostgresLease::held).count()).isEqualTo(1);
        Thread.sleep(EVERY.toMillis());
      }

      PostgresLease holder = all.stream().filter(PostgresLease::held).findFirst().orElseThrow();
      holder.close();
      List<PostgresLease> rest = all.stream().filter(l -> l != holder).toList();
      await("another holder", () -> rest.stream().anyMatch(PostgresLease::held));
      assertThat(rest.stream().filter(PostgresLease::held).count()).isEqualTo(1);
      rest.forEach(PostgresLease::close);
    }
  }

  @Test
  void rolesOfDifferentNamesAreHeldIndependently() throws Exception {
    try (PostgresDatabase db = PostgresFixture.newDatabase();
         PostgresLease sender = PostgresLease.start(db, "sender", EVERY);
         PostgresLease other = PostgresLease.start(db, "other", EVERY)) {
      await("both held", () -> sender.held() && other.held());
    }
  }
}
