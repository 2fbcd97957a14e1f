package io.agentwatch.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.OperatorKeyRecoveryEndToEndTest;
import io.agentwatch.server.TestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys create --operator} on the PostgreSQL store, read by a node started after it. */
class OperatorKeyOnPostgresEndToEndTest {

  private static final String SCHEMA = "operator_key";

  @TempDir
  Path dir;

  @Test
  void aKeyMadeOfflineInPostgresOpensEveryNode() {
    try (TestPostgres postgres = TestPostgres.start(dir.resolve("pg"))) {
      try (TestServer node = TestServer.start(dir.resolve("a"), postgres.nodeArgs(SCHEMA))) {
        assertThat(node.get("/api/v1/keys", TestServer.ADMIN_KEY).statusCode()).isEqualTo(200);
      }
      List<String> settings = new ArrayList<>(List.of(postgres.nodeArgs(SCHEMA)));
      settings.add("--logging.level.root=WARN");
      String recovered = OperatorKeyRecoveryEndToEndTest.recover(settings.toArray(String[]::new));

      try (TestServer node = TestServer.start(dir.resolve("b"), postgres.nodeArgs(SCHEMA))) {
        var keys = node.get("/api/v1/keys", recovered);
        assertThat(keys.statusCode()).as(keys.body()).isEqualTo(200);
        assertThat(keys.body()).contains("recovered operator key");
      }
    }
  }
}
