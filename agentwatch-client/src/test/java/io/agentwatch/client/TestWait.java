package io.agentwatch.client;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

final class TestWait {

  private TestWait() {}

  static void until(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(10);
    }
  }
}
