package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void defaultsFollowTheBenchmarkPlanAndTheKeyStaysOutOfThePrintedArguments() {
    BenchOptions o = BenchOptions.parse(new String[] {"--url", "http://127.0.0.1:1", "--key=secret-key-123",
        "--command", "scripts/bench.sh", "--duration", "2.5s"});

    assertThat(o.duration()).isEqualTo(Duration.ofMillis(2500));
    assertThat(o.producers()).isEqualTo(8);
    assertThat(o.batch()).isEqualTo(500);
    assertThat(o.wsWindow()).isEqualTo(4);
    assertThat(o.subscribers()).isEqualTo(100);
    assertThat(o.deliveryShare()).isEqualTo(0.7);
    assertThat(o.phases()).containsExactlyInAnyOrderElementsOf(BenchOptions.ALL_PHASES);
    assertThat(String.join(" ", o.args())).doesNotContain("secret").doesNotContain("scripts/bench.sh");
  }

  @Test
  void pacedPhasesWithoutThePeakPhaseNeedAPeak() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--url", "http://h:1", "--key", "k",
        "--phases", "delivery"})).hasMessageContaining("--peak");
  }

  @Test
  void anUnknownOptionIsRefused() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--url", "http://h:1", "--key", "k", "--fast", "1"}))
        .hasMessageContaining("fast");
  }
}
