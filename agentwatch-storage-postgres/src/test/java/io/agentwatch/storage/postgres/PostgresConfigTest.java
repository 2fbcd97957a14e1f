package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresConfigTest {

  private static final PostgresConfig BASE = PostgresConfig.of("jdbc:postgresql://db:5432/aw", "aw", "secret");

  @Test
  void aSchemaIsAPlainLowerCaseNameThatPostgresDoesNotReserve() {
    assertThat(BASE.withSchema("agentwatch_prod").schema()).isEqualTo("agentwatch_prod");
    for (String bad : new String[] {"pg_events", "Agentwatch", "1st", "a-b", "x;drop", "a".repeat(64), ""}) {
      assertThatThrownBy(() -> BASE.withSchema(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("schema must").hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void theUrlMustBePostgresAndThePasswordStaysOutOfToString() {
    assertThatThrownBy(() -> PostgresConfig.of("jdbc:mysql://db/aw", "aw", "x"))
        .hasMessage("url must start with jdbc:postgresql: but was 'jdbc:mysql://db/aw'");
    assertThat(BASE.toString()).doesNotContain("secret");
  }
}
