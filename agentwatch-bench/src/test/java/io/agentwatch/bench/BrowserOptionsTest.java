package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BrowserOptionsTest {

  @Test
  void defaultsMeasureBothViewsAtTwoAndTenThousandEventsPerSecondAndHideTheKey() {
    BrowserOptions o = BrowserOptions.parse(new String[] {"--url", "http://127.0.0.1:1", "--key=secret-key-123",
        "--command", "scripts/browser-bench.sh", "--duration", "30s"});

    assertThat(o.rates()).containsExactly(2000, 10000);
    assertThat(o.views()).containsExactly("overview", "events");
    assertThat(o.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.warmup()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.agents()).isEqualTo(50);
    assertThat(String.join(" ", o.args())).contains("--duration=30s").doesNotContain("secret")
        .doesNotContain("scripts/browser-bench.sh");
  }

  @Test
  void anUnknownViewOrOptionIsRefused() {
    assertThatThrownBy(() -> BrowserOptions.parse(new String[] {"--url", "http://h:1", "--key", "k", "--views",
        "overview,runs"})).hasMessageContaining("unknown view 'runs'");
    assertThatThrownBy(() -> BrowserOptions.parse(new String[] {"--url", "http://h:1", "--key", "k", "--fast", "1"}))
        .hasMessageContaining("fast");
  }

  @Test
  void agentsThatCannotFillTheRunsAreRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> BrowserOptions.parse(new String[] {"--url", "http://h:1", "--key", "k", "--agents", "6",
        "--runs", "5", "--producers", "2"})).hasMessageContaining("6 agents, 5 runs");
  }
}
