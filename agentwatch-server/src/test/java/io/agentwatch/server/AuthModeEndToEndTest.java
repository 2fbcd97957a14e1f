package io.agentwatch.server;

import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /api/v1/auth}: a sign-in page learns whether a key is needed without a 401. */
class AuthModeEndToEndTest {

  @TempDir
  Path data;

  @Test
  void withAuthOnTheProbeAnswersThatAKeyIsRequiredAndNothingElseOpens() {
    try (TestServer server = TestServer.start(data)) {
      var probe = server.get("/api/v1/auth", null);
      assertThat(probe.statusCode()).isEqualTo(200);
      assertThat(json(probe.body()).get("authRequired").booleanValue()).isTrue();

      assertThat(server.post("/api/v1/auth", null, "application/json", "{}").statusCode()).isEqualTo(401);
      assertThat(server.get("/api/v1/auth/other", null).statusCode()).isEqualTo(401);
      assertThat(server.get("/api/v1/agents?limit=1", null).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void withAuthOffTheProbeSaysNoKeyIsNeeded() {
    try (TestServer server = TestServer.start(data, "--agentwatch.auth=false")) {
      var probe = server.get("/api/v1/auth", null);
      assertThat(probe.statusCode()).isEqualTo(200);
      assertThat(json(probe.body()).get("authRequired").booleanValue()).isFalse();
    }
  }
}
