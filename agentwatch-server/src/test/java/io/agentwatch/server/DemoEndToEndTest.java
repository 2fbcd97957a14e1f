package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo agents stream through the SDK into the server they run in. */
class DemoEndToEndTest {

  @TempDir
  Path data;

  @Test
  void theDemoManagerAndWorkersStreamTheirRunsThroughTheSdk() {
    try (TestServer server = TestServer.start(data, "--agentwatch.demo=true")) {
      TestServer.await("the manager assigns a task", 60, () -> count(server, "agentId=manager&type=task.assigned") > 0);
      TestServer.await("a worker starts it", 60, () -> count(server, "type=task.started") > 0);
      TestServer.await("the workers registered", 60, () -> count(server, "type=agent.registered") >= 4);
    }
  }

  private static int count(TestServer server, String query) {
    return json(server.get("/api/v1/events?limit=1000&" + query, ADMIN_KEY).body()).get("events").size();
  }
}
