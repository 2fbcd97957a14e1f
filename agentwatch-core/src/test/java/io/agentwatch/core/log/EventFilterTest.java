package io.agentwatch.core.log;

import static io.agentwatch.core.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventFilterTest {

  private static EventFilter types(String... types) {
    return new EventFilter(null, null, Arrays.asList(types));
  }

  @Test
  void aPrefixMatchesEveryTypeUnderItsDot() {
    EventFilter tasks = types("task.*");

    assertThat(tasks.matchesType("task.started")).isTrue();
    assertThat(tasks.matchesType("task.progress")).isTrue();
    assertThat(tasks.matchesType("task.started.late")).isTrue();
  }

  @Test
  void aPrefixDoesNotMatchTheBareWordOrLongerWords() {
    EventFilter tasks = types("task.*");

    assertThat(tasks.matchesType("task")).isFalse();
    assertThat(tasks.matchesType("tasks.started")).isFalse();
    assertThat(tasks.matchesType("taskforce.x")).isFalse();
    assertThat(tasks.matchesType("subtask.started")).isFalse();
    assertThat(tasks.matchesType("agent.task.started")).isFalse();
  }

  @Test
  void aNestedPrefixMatchesOnlyItsSubtree() {
    EventFilter calls = types("tool.called.*");

    assertThat(calls.matchesType("tool.called.search")).isTrue();
    assertThat(calls.matchesType("tool.called")).isFalse();
    assertThat(calls.matchesType("tool.result.search")).isFalse();
  }

  @Test
  void anExactTypeMatchesOnlyItself() {
    EventFilter started = types("task.started");

    assertThat(started.matchesType("task.started")).isTrue();
    assertThat(started.matchesType("task.started.late")).isFalse();
    assertThat(started.matchesType("task")).isFalse();
    assertThat(types("metric").matchesType("metric")).isTrue();
    assertThat(types("metric").matchesType("metrics.x")).isFalse();
  }

  @Test
  void aStarOrNoTypesMatchEverything() {
    for (EventFilter all : List.of(types("*"), types(), new EventFilter(null, null, null), EventFilter.ALL)) {
      assertThat(all.matchesType("task.started")).isTrue();
      assertThat(all.matchesType("log")).isTrue();
    }
  }

  @Test
  void severalPatternsMatchAnyOfThem() {
    EventFilter f = types("agent.heartbeat", "tool.*", "log");

    assertThat(f.matchesType("agent.heartbeat")).isTrue();
    assertThat(f.matchesType("tool.result")).isTrue();
    assertThat(f.matchesType("log")).isTrue();
    assertThat(f.matchesType("agent.status")).isFalse();
  }

  @Test
  void runAndAgentRestrictToo() {
    EventFilter f = new EventFilter("r1", "w1", List.of("task.*"));

    assertThat(f.matches(event("1", "task.started", "w1", "r1"))).isTrue();
    assertThat(f.matches(event("2", "task.started", "w2", "r1"))).isFalse();
    assertThat(f.matches(event("3", "task.started", "w1", "r2"))).isFalse();
    assertThat(f.matches(event("4", "task.started", "w1", null))).as("an event without run").isFalse();
    assertThat(f.matches(event("5", "agent.heartbeat", "w1", "r1"))).isFalse();
    assertThat(new EventFilter(null, null, null).matches(event("6", "x.y", "w1", null))).isTrue();
  }

  @Test
  void exactTypesAndPrefixesAreSeparated() {
    EventFilter f = types("task.*", "log", "*", "tool.called");

    assertThat(f.exactTypes()).containsExactly("log", "tool.called");
    assertThat(f.typePrefixes()).containsExactly("task.", "");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "task*", "*.started", "task.**", "ta*sk.*", "task.*.x", "**", "*task"})
  void malformedPatternsAreRefusedWithTheValue(String pattern) {
    assertThatThrownBy(() -> types(pattern)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + pattern + "'");
  }

  @Test
  void aPatternOfAtMost64CharactersIsAccepted() {
    String longest = "a." + "b".repeat(62);

    assertThat(types(longest).matchesType(longest)).isTrue();
    assertThatThrownBy(() -> types(longest + "c")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNullPatternIsRefused() {
    assertThatThrownBy(() -> types("task.*", null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theTypesAreCopiedAndEqualityIgnoresNullVersusEmpty() {
    List<String> mutable = new java.util.ArrayList<>(List.of("task.*"));
    EventFilter f = new EventFilter("r", null, mutable);
    mutable.add("log");

    assertThat(f.types()).containsExactly("task.*");
    assertThat(new EventFilter(null, null, null)).isEqualTo(EventFilter.ALL).hasSameHashCodeAs(EventFilter.ALL);
    assertThat(new EventFilter("r", null, List.of())).isNotEqualTo(EventFilter.ALL);
  }
}
