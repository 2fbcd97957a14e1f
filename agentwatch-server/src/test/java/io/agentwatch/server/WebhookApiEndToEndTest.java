package io.agentwatch.server;

import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/webhooks} with its defaults (private addresses refused): malformed, hostile,
 * unauthorised and unknown requests get precise problems, and nothing is stored. The only webhook
 * made here points at a documentation address (192.0.2.0/24, never routed) and stays disabled,
 * so nothing is ever sent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookApiEndToEndTest {

  private static final String PARKED = "{\"url\":\"https://192.0.2.10/hook\",\"enabled\":false}";

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  private HttpResponse<String> create(String key, String body) {
    return server.post("/api/v1/webhooks", key, "application/json", body);
  }

  private HttpResponse<String> patch(String path, String body) {
    return server.send(HttpRequest.newBuilder(server.uri(path)).header("Authorization", "Bearer " + ADMIN_KEY)
        .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(body))
        .build());
  }

  private String parked() {
    HttpResponse<String> r = create(ADMIN_KEY, PARKED);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r.body()).get("id").stringValue();
  }

  @Test
  void webhookUrlsOnLoopbackPrivateOrMetadataAddressesAreRefused() {
    String[][] refused = {
        {"http://127.0.0.1:8080/hook", "loopback address 127.0.0.1"},
        {"http://localhost/hook", "loopback"},
        {"http://[::1]/hook", "loopback"},
        {"https://10.1.2.3/hook", "private address 10.1.2.3"},
        {"https://172.20.0.5/hook", "private address"},
        {"https://192.168.0.10/hook", "private address"},
        {"https://[fd12::1]/hook", "private address"},
        {"http://169.254.169.254/latest/meta-data/", "link-local (cloud metadata) address 169.254.169.254"},
        {"http://0.0.0.0/hook", "unspecified"},
        {"http://[::ffff:127.0.0.1]/hook", "loopback"}};
    for (String[] r : refused) {
      HttpResponse<String> answer = create(ADMIN_KEY, "{\"url\":\"" + r[0] + "\"}");
      assertProblem(answer, 400, r[1]);
      assertThat(json(answer.body()).get("detail").stringValue()).contains("AGENTWATCH_WEBHOOK_ALLOW_PRIVATE");
    }
    assertThat(json(server.get("/api/v1/webhooks", ADMIN_KEY).body()).get("webhooks").valueStream()
        .map(w -> w.get("url").stringValue())).noneMatch(u -> u.contains("127.0.0.1") || u.contains("10.1.2.3"));
  }

  @Test
  void malformedWebhooksGetPreciseProblems() {
    assertProblem(create(ADMIN_KEY, "{\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}"), 400, "url is required");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"ftp://192.0.2.10/x\"}"), 400, "http:// or https://");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"/relative\"}"), 400, "absolute");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://user:pw@192.0.2.10/\"}"), 400, "credentials");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/ x\"}"), 400, "not a valid URL");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/\",\"secret\":\"hunter2\"}"), 400,
        "secret must start with 'whsec_'");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/\",\"secret\":\"whsec_c2hvcnQ=\"}"), 400,
        "decodes to 5");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/\",\"types\":[\"Alert*\"]}"), 400,
        "'Alert*'");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/\",\"types\":\"alert.*\"}"), 400, "");
    assertProblem(create(ADMIN_KEY, "{\"url\":"), 400, "");
    assertProblem(create(ADMIN_KEY, ""), 400, "only url is required");
    assertProblem(create(ADMIN_KEY, "{\"url\":\"https://192.0.2.10/" + "a".repeat(2100) + "\"}"), 400,
        "at most 2000");
  }

  @Test
  void managingWebhooksNeedsAnAdminKey() {
    String reader = server.newKey("default", "read", "ingest");

    assertProblem(create(null, PARKED), 401, "API key is required");
    assertProblem(create("aw_nope", PARKED), 401, "unknown");
    assertProblem(create(reader, PARKED), 403, "'admin' scope");
    assertProblem(server.get("/api/v1/webhooks", reader), 403, "'admin' scope");
    String id = parked();
    assertProblem(server.get("/api/v1/webhooks/" + id + "/deliveries", reader), 403, "'admin' scope");
    assertProblem(server.delete("/api/v1/webhooks/" + id, reader), 403, "'admin' scope");
  }

  @Test
  void unknownWebhooksAndDeliveriesAreNotFound() {
    String id = parked();
    assertProblem(server.get("/api/v1/webhooks/wh_unknownunknown1", ADMIN_KEY), 404, "no webhook with id");
    assertProblem(server.delete("/api/v1/webhooks/wh_unknownunknown1", ADMIN_KEY), 404, "no webhook with id");
    assertProblem(patch("/api/v1/webhooks/wh_unknownunknown1", "{\"enabled\":true}"), 404, "no webhook");
    assertProblem(server.get("/api/v1/webhooks/wh_unknownunknown1/deliveries", ADMIN_KEY), 404, "no webhook");
    assertProblem(server.post("/api/v1/webhooks/wh_unknownunknown1/deliveries/msg_x/redeliver", ADMIN_KEY, null,
        ""), 404, "no webhook");
    assertProblem(server.post("/api/v1/webhooks/" + id + "/deliveries/msg_x/redeliver", ADMIN_KEY, null, ""), 404,
        "has no delivery with id 'msg_x'");
    assertProblem(server.get("/api/v1/webhooks/" + id + "/deliveries/msg_x", ADMIN_KEY), 404, "no delivery");
  }

  @Test
  void badListingParametersAndChangesAreRefused() {
    String id = parked();
    String deliveries = "/api/v1/webhooks/" + id + "/deliveries";

    assertProblem(server.get(deliveries + "?state=lost", ADMIN_KEY), 400, "state must be one of pending");
    assertProblem(server.get(deliveries + "?limit=0", ADMIN_KEY), 400, "limit must be 1..1000");
    assertProblem(server.get(deliveries + "?before=abc", ADMIN_KEY), 400, "before must be");
    assertProblem(patch("/api/v1/webhooks/" + id, "{}"), 400, "enabled");
    JsonAnswer page = new JsonAnswer(server.get(deliveries + "?state=dead&limit=5", ADMIN_KEY));
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.body()).contains("\"deliveries\":[]").contains("\"next\":null");
  }

  @Test
  void aParkedWebhookIsListedSwitchedAndRemoved() {
    String id = parked();

    HttpResponse<String> one = server.get("/api/v1/webhooks/" + id, ADMIN_KEY);
    assertThat(json(one.body()).get("types").get(0).stringValue()).isEqualTo("alert.*");
    assertThat(json(one.body()).get("enabled").booleanValue()).isFalse();
    assertThat(json(patch("/api/v1/webhooks/" + id, "{\"enabled\":false}").body()).get("enabled").booleanValue())
        .isFalse();
    assertThat(server.delete("/api/v1/webhooks/" + id, ADMIN_KEY).statusCode()).isEqualTo(204);
    assertProblem(server.get("/api/v1/webhooks/" + id, ADMIN_KEY), 404, "no webhook");
  }

  private record JsonAnswer(int status, String body) {
    JsonAnswer(HttpResponse<String> r) {
      this(r.statusCode(), r.body());
    }
  }
}
