package io.agentwatch.server;

import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code /api/v1/keys}: scopes, tenants, revocation (also of open connections), hashes at rest. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysEndToEndTest {

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
    return server.post("/api/v1/keys", key, "application/json", body);
  }

  @Test
  void aNewKeyIsShownOnceAndListedWithoutIt() {
    HttpResponse<String> created = create(ADMIN_KEY, "{\"tenant\":\"acme\",\"scopes\":[\"ingest\",\"read\"],"
        + "\"name\":\"ci\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode key = json(created.body());
    assertThat(key.get("key").stringValue()).startsWith("aw_");

    String list = server.get("/api/v1/keys?tenant=acme", ADMIN_KEY).body();
    assertThat(list).contains(key.get("id").stringValue()).contains("\"ci\"")
        .doesNotContain(key.get("key").stringValue());
  }

  @Test
  void anAdminManagesOnlyItsOwnTenantAndCannotGrantMoreThanItHas() {
    String acmeAdmin = server.newKey("acme", "admin", "read");

    assertProblem(create(acmeAdmin, "{\"tenant\":\"other\",\"scopes\":[\"read\"]}"), 403, "another tenant");
    assertProblem(create(acmeAdmin, "{\"tenant\":\"acme\",\"scopes\":[\"operator\"]}"), 403, "operator");
    assertProblem(create(acmeAdmin, "{\"tenant\":\"acme\",\"scopes\":[\"ingest\"]}"), 403, "ingest");
    assertThat(create(acmeAdmin, "{\"scopes\":[\"read\"]}").statusCode()).isEqualTo(201);
    assertThat(json(server.get("/api/v1/keys", acmeAdmin).body()).get("keys").valueStream()
        .map(k -> k.get("tenant").stringValue()).distinct()).containsExactly("acme");
    String defaultKeyId = json(server.get("/api/v1/keys?tenant=default", ADMIN_KEY).body()).get("keys").get(0)
        .get("id").stringValue();
    assertProblem(server.delete("/api/v1/keys/" + defaultKeyId, acmeAdmin), 404, "no key");
    String acmeWide = json(create(ADMIN_KEY, "{\"tenant\":\"acme\",\"scopes\":[\"admin\",\"read\",\"ingest\"]}")
        .body()).get("id").stringValue();
    assertProblem(server.delete("/api/v1/keys/" + acmeWide, acmeAdmin), 403, "scopes it does not hold");
  }

  @Test
  void badKeyRequestsGetPreciseProblems() {
    assertProblem(create(ADMIN_KEY, "{\"tenant\":\"Bad Tenant!\",\"scopes\":[\"read\"]}"), 400, "tenant must be");
    assertProblem(create(ADMIN_KEY, "{\"tenant\":\"x\",\"scopes\":[\"fly\"]}"), 400, "scope must be one of");
    assertProblem(create(ADMIN_KEY, "{\"tenant\":\"x\",\"scopes\":[]}"), 400, "at least one");
    assertProblem(create(ADMIN_KEY, "{not json"), 400, "");
    assertProblem(create(server.newKey("default", "read"), "{\"scopes\":[\"read\"]}"), 403, "admin");
  }

  @Test
  void aRevokedKeyIsRefusedAtOnceAlsoOnItsOpenSocket() throws Exception {
    JsonNode created = json(create(ADMIN_KEY, "{\"tenant\":\"default\",\"scopes\":[\"read\",\"ingest\"]}").body());
    String key = created.get("key").stringValue();
    try (TestSocket socket = server.socket(key)) {
      socket.send("{\"op\":\"subscribe\",\"id\":\"s\"}");
      socket.next("subscribed", 10);

      assertThat(server.delete("/api/v1/keys/" + created.get("id").stringValue(), ADMIN_KEY).statusCode())
          .isEqualTo(204);

      assertThat(socket.next("gap", 10).get("reason").stringValue()).isEqualTo("revoked");
      assertThat(socket.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1008);
    }
    assertProblem(server.get("/api/v1/events", key), 401, "revoked");
  }

  private String ticket(String key) {
    HttpResponse<String> r = server.post("/api/v1/stream-tickets", key, null, "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r.body()).get("ticket").stringValue();
  }

  private java.net.URI wsWithToken(String token) {
    return java.net.URI.create(server.wsUri() + "?access_token=" + token);
  }

  @Test
  void aStreamTicketOpensOneStreamInsteadOfTheKeyInTheUrl() {
    String reader = server.newKey("tickets", "read");
    String ticket = ticket(reader);
    assertThat(ticket).startsWith("awt_").doesNotContain(reader);

    try (TestSocket socket = TestSocket.open(server.http, wsWithToken(ticket), null, null)) {
      socket.send("{\"op\":\"ping\"}");
      assertThat(socket.next("pong", 5)).isNotNull();
    }
    assertThat(server.get("/api/v1/stream?access_token=" + ticket, null).statusCode())
        .as("a ticket is single-use").isEqualTo(401);
  }

  @Test
  void aStreamTicketCannotWriteNorMintTicketsNorOutliveItsKey() {
    String key = server.newKey("tickets", "ingest", "read", "admin");
    String ticket = ticket(key);
    HttpResponse<String> ingest = server.post("/api/v1/events?access_token=" + ticket, null, "application/json",
        "[]");
    assertProblem(ingest, 401, "only a stream");
    assertProblem(server.post("/api/v1/stream-tickets?access_token=" + ticket(key), null, null, ""), 401,
        "only a stream");

    String orphan = ticket(key);
    String id = json(server.get("/api/v1/keys?tenant=tickets", ADMIN_KEY).body()).get("keys").valueStream()
        .filter(k -> k.get("scopes").size() == 3).findFirst().orElseThrow().get("id").stringValue();
    assertThat(server.delete("/api/v1/keys/" + id, ADMIN_KEY).statusCode()).isEqualTo(204);
    assertProblem(server.get("/api/v1/agents?access_token=" + orphan, null), 401, "stream ticket");
  }

  @Test
  void anUnknownTicketIsRefusedWithAHint() {
    assertProblem(server.get("/api/v1/agents?access_token=awt_never-issued", null), 401, "POST /api/v1/stream-tickets");
  }
}
