package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.event;

import io.agentwatch.model.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random events for the stream property tests: a few runs (some events without one), a few
 * agents, types that filters and conflation care about, and now and then the retry of an earlier
 * id, which the log stores only once.
 */
final class RandomEvents {

  private static final List<String> TYPES =
      List.of("task.started", "task.completed", "agent.heartbeat", "metric", "log", "tool.called", "custom.x");

  private final Random random;
  private int nextId;

  RandomEvents(Random random) {
    this.random = random;
  }

  List<Event> next(int count) {
    List<Event> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String run = random.nextInt(4) == 0 ? null : "r" + random.nextInt(2);
      String id = nextId > 0 && random.nextInt(10) == 0 ? "e" + random.nextInt(nextId) : "e" + nextId++;
      events.add(event(id, TYPES.get(random.nextInt(TYPES.size())), "w" + random.nextInt(3), run));
    }
    return events;
  }
}
