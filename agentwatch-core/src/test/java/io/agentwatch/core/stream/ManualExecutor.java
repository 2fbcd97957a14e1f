package io.agentwatch.core.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executor;

/** An executor whose tasks run only when a test says so, in an order the test picks. */
final class ManualExecutor implements Executor {

  private final List<Runnable> tasks = new ArrayList<>();

  @Override
  public synchronized void execute(Runnable task) {
    tasks.add(task);
  }

  synchronized int pending() {
    return tasks.size();
  }

  /** Runs one waiting task picked by {@code random}; returns false when none waits. */
  boolean runOne(Random random) {
    Runnable task;
    synchronized (this) {
      if (tasks.isEmpty()) {
        return false;
      }
      task = tasks.remove(random.nextInt(tasks.size()));
    }
    task.run();
    return true;
  }
}
