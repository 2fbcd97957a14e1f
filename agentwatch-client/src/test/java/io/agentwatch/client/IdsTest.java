package io.agentwatch.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void idsAreUniqueValidEnvelopeIdsThatSortByCreationWithinAClient() {
    Ids ids = new Ids(Clock.fixed(Instant.parse("2026-11-28T16:00:00Z"), ZoneOffset.UTC));
    Set<String> seen = new HashSet<>();
    String previous = "";
    for (int i = 0; i < 100_000; i++) {
      String id = ids.next();
      assertThat(id).matches("[0-9A-Z]{26}");
      assertThat(seen.add(id)).as("unique: " + id).isTrue();
      if (!id.substring(18).equals("00000000")) {
        assertThat(id).isGreaterThan(previous);
      }
      previous = id;
    }
  }

  @Test
  void twoClientsInTheSameMillisecondMakeDifferentIds() {
    Clock clock = Clock.fixed(Instant.parse("2026-11-28T16:00:00Z"), ZoneOffset.UTC);
    assertThat(new Ids(clock).next()).isNotEqualTo(new Ids(clock).next());
  }

  @Test
  void priorityFollowsTheDocumentedClasses() {
    assertThat(Priority.of("metric")).isEqualTo(Priority.LOW);
    assertThat(Priority.of("agent.heartbeat")).isEqualTo(Priority.LOW);
    assertThat(Priority.of("log")).isEqualTo(Priority.LOW);
    assertThat(Priority.of("task.progress")).isEqualTo(Priority.CRITICAL);
    assertThat(Priority.of("run.completed")).isEqualTo(Priority.CRITICAL);
    assertThat(Priority.of("agent.status")).isEqualTo(Priority.CRITICAL);
    assertThat(Priority.of("error.occurred")).isEqualTo(Priority.CRITICAL);
    assertThat(Priority.of("llm.call")).isEqualTo(Priority.NORMAL);
    assertThat(Priority.of("my.custom_event")).isEqualTo(Priority.NORMAL);
  }
}
