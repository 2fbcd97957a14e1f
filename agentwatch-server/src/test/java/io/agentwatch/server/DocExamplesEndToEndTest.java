package io.agentwatch.server;

import static io.agentwatch.server.Envelopes.event;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.testing.RequiredService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Runs every {@code curl} example of the README and of {@code docs/*.md} with the machine's curl
 * against a started server with the demo agents, exactly as written, so the documents cannot drift
 * from what the server answers. Only {@code localhost:8080} (the server's port) and the webhook
 * example's public URL (a local receiver) are rewritten; the values a document asks the reader to
 * fill in ({@code RUN=demo-run-…}) are filled with real ones. An example passes when curl exits 0
 * under {@code --fail-with-body} (a 2xx or 3xx answer); a live stream passes when it is still open
 * after three seconds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocExamplesEndToEndTest {

  private static final Path ROOT = Path.of("..");
  private static final String PUBLIC_HOOK = "https://hooks.example.com/agentwatch";
  private static final String PRELUDE = """
      set -o pipefail
      curl() {
        case " $* " in
          *" -N "*) command curl -sS --fail-with-body --max-time 3 "$@"; rc=$?; [ $rc -eq 28 ] && return 0; return $rc ;;
          *) command curl -sS --fail-with-body --max-time 30 "$@" ;;
        esac
      }
      """;

  @TempDir
  static Path data;
  private TestServer server;
  private Receiver receiver;
  private final Map<String, String> filled = new HashMap<>();

  @BeforeAll
  void start() {
    RequiredService.require(Files.isExecutable(Path.of("/usr/bin/curl")), "curl (/usr/bin/curl)",
        "install it with: apt-get install -y curl");
    receiver = Receiver.start(Receiver.OK);
    server = TestServer.start(data, "--agentwatch.demo=true", "--agentwatch.webhook.allow-private=true");
    filled.put("KEY", ADMIN_KEY);
    filled.put("AGENTWATCH_KEY", ADMIN_KEY);
    filled.put("RUN", demoRun());
    String webhook = json(server.post("/api/v1/webhooks", ADMIN_KEY, "application/json",
        "{\"url\":\"" + receiver.url() + "\",\"types\":[\"alert.*\"]}").body()).get("id").stringValue();
    filled.put("ID", webhook);
    filled.put("AID", raiseAlert());
    filled.put("DELIVERY", firstDelivery(webhook));
  }

  @AfterAll
  void stop() {
    if (server != null) {
      server.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void everyCurlExampleOfTheReadmeSucceedsAgainstARunningServer() {
    assertThat(runAll(ROOT.resolve("README.md"))).as("curl examples run").isGreaterThanOrEqualTo(18);
  }

  @Test
  void everyCurlExampleOfTheDocsSucceedsAgainstARunningServer() throws IOException {
    int ran = 0;
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        ran += runAll(doc);
      }
    }
    assertThat(ran).as("curl examples run").isGreaterThanOrEqualTo(3);
  }

  /** Runs the document's curl examples in order; fails naming every one that did not succeed. */
  private int runAll(Path doc) {
    List<String> failures = new ArrayList<>();
    int ran = 0;
    for (DocExamples.Example example : DocExamples.of(doc)) {
      String placeholder = example.placeholder();
      if (placeholder != null) {
        if (!filled.containsKey(placeholder)) {
          failures.add(example.where() + " asks the reader for " + placeholder + ", which this test cannot fill");
        }
        continue;
      }
      if (!example.isCurl()) {
        continue;
      }
      List<String> unknown = example.variables().stream().filter(v -> !filled.containsKey(v)).toList();
      if (!unknown.isEmpty()) {
        failures.add(example.where() + " reads " + unknown + ", which no line before it defines");
        continue;
      }
      ran++;
      String failure = run(example);
      if (failure != null) {
        failures.add(failure);
      }
    }
    assertThat(failures).as("examples of " + doc.getFileName() + " that failed").isEmpty();
    return ran;
  }

  /** Null when the example succeeded, else what went wrong. */
  private String run(DocExamples.Example example) {
    String command = example.command()
        .replace("http://localhost:8080", "http://127.0.0.1:" + server.port())
        .replace("localhost:8080", "127.0.0.1:" + server.port())
        .replace(PUBLIC_HOOK, receiver.url());
    try {
      ProcessBuilder builder = new ProcessBuilder("bash", "-c", PRELUDE + command).redirectErrorStream(true);
      builder.environment().putAll(filled);
      Process process = builder.start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return example.where() + " did not finish within 60 s";
      }
      String text = new String(output, StandardCharsets.UTF_8);
      System.out.printf("%s exit %d: %s%n", example.where(), process.exitValue(),
          text.length() > 300 ? text.substring(0, 300) + "…" : text);
      return process.exitValue() == 0 ? null
          : example.where() + " exited " + process.exitValue() + ": " + command + "\n→ " + text;
    } catch (IOException e) {
      return example.where() + " could not run: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A run of the demo agents, as a reader finds one in {@code GET /api/v1/runs}. */
  private String demoRun() {
    String[] run = new String[1];
    TestServer.await("the demo agents to start a run", 30, () -> {
      JsonNode runs = json(server.get("/api/v1/runs?limit=1", ADMIN_KEY).body()).get("runs");
      run[0] = runs.isEmpty() ? null : runs.get(0).get("runId").stringValue();
      return run[0] != null;
    });
    assertThat(run[0]).startsWith("demo-run-");
    TestServer.await("the demo's researcher to connect for commands", 30, () ->
        server.get("/api/v1/agents/researcher", ADMIN_KEY).statusCode() == 200);
    return run[0];
  }

  /** An open alert: a task completed by an agent it was not assigned to. */
  private String raiseAlert() {
    server.post("/api/v1/events", ADMIN_KEY, "application/json", Envelopes.array(List.of(
        event("doc-1", "task.assigned", "doc-manager", "run-docs", Map.of("taskId", "t1", "assignee", "doc-worker-1")),
        event("doc-2", "task.completed", "doc-worker-2", "run-docs", Map.of("taskId", "t1")))));
    String[] alert = new String[1];
    TestServer.await("the analytics to raise an alert", 30, () -> {
      JsonNode alerts = json(server.get("/api/v1/alerts?runId=run-docs&state=open", ADMIN_KEY).body()).get("alerts");
      alert[0] = alerts.isEmpty() ? null : alerts.get(0).get("id").stringValue();
      return alert[0] != null;
    });
    return alert[0];
  }

  private String firstDelivery(String webhook) {
    String[] delivery = new String[1];
    TestServer.await("the alert to be queued for the webhook", 30, () -> {
      JsonNode list = json(server.get("/api/v1/webhooks/" + webhook + "/deliveries", ADMIN_KEY).body())
          .get("deliveries");
      delivery[0] = list.isEmpty() ? null : list.get(0).get("id").stringValue();
      return delivery[0] != null;
    });
    return delivery[0];
  }
}
