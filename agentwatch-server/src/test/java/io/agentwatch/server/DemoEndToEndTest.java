package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo agents stream through the SDK into the server they run in, and obey commands. */
class DemoEndToEndTest {

  @TempDir
  Path data;

  @Test
  void theDemoManagerAndWorkersStreamTheirRunsThroughTheSdkAndObeyCommands() {
    try (TestServer server = TestServer.start(data, "--agentwatch.demo=true")) {
      TestServer.await("the manager assigns a task", 60, () -> count(server, "agentId=manager&type=task.assigned") > 0);
      TestServer.await("a worker starts it", 60, () -> count(server, "type=task.started") > 0);
      TestServer.await("the workers registered", 60, () -> count(server, "type=agent.registered") >= 4);

      String pause = ClientEndToEndTest.issue(server, "coder", "{\"type\":\"pause\",\"reason\":\"demo\"}");
      TestServer.await("the pause applied", 60,
          () -> "applied".equals(ClientEndToEndTest.commandStates(server, "coder").get(pause)));
      TestServer.await("status paused", 10, () -> json(server.get("/api/v1/events?limit=1000&agentId=coder"
          + "&type=agent.status", ADMIN_KEY).body()).get("events").valueStream()
          .anyMatch(e -> "paused".equals(e.get("data").get("status").stringValue())));

      String resume = ClientEndToEndTest.issue(server, "coder", "{\"type\":\"resume\"}");
      TestServer.await("the resume applied", 60,
          () -> "applied".equals(ClientEndToEndTest.commandStates(server, "coder").get(resume)));
      String cancelIdle = ClientEndToEndTest.issue(server, "manager", "{\"type\":\"cancel\"}");
      TestServer.await("the manager refuses cancel", 60,
          () -> "rejected".equals(ClientEndToEndTest.commandStates(server, "manager").get(cancelIdle)));
    }
  }

  private static int count(TestServer server, String query) {
    return json(server.get("/api/v1/events?limit=1000&" + query, ADMIN_KEY).body()).get("events").size();
  }
}
