package io.agentwatch.server;

import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.EventCodec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Webhooks against real receivers on 127.0.0.1 that answer, fail, hang and recover: signatures,
 * retry spacing, timeouts, dead letters, redelivery, isolation of a dead endpoint, tenant walls.
 * Each test uses its own event types, so its webhooks see only its own events.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookDeliveryEndToEndTest {

  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final List<Duration> BACKOFF = List.of(Duration.ofMillis(300), Duration.ofMillis(600),
      Duration.ofMillis(1200));
  static final double JITTER = 0.1;
  static final int MAX_ATTEMPTS = 4;

  @TempDir
  static Path data;
  TestServer server;
  final List<Receiver> receivers = new ArrayList<>();

  @BeforeAll
  void start() {
    server = TestServer.start(data,
        "--agentwatch.webhook.allow-private=true",
        "--agentwatch.webhook.backoff=300ms,600ms,1200ms",
        "--agentwatch.webhook.jitter=" + JITTER,
        "--agentwatch.webhook.max-attempts=" + MAX_ATTEMPTS,
        "--agentwatch.webhook.timeout=2s",
        "--agentwatch.webhook.poll-interval=50ms",
        "--agentwatch.webhook.circuit-open-for=1s");
  }

  @AfterAll
  void stop() {
    server.close();
    receivers.forEach(Receiver::close);
  }

  Receiver receiver(Receiver.Behaviour behaviour) {
    Receiver r = Receiver.start(behaviour);
    receivers.add(r);
    return r;
  }

  static JsonNode createWebhook(TestServer server, String key, String url, List<String> types, String secret) {
    Map<String, Object> body = new HashMap<>();
    body.put("url", url);
    if (types != null) {
      body.put("types", types);
    }
    if (secret != null) {
      body.put("secret", secret);
    }
    HttpResponse<String> r = server.post("/api/v1/webhooks", key, "application/json",
        EventCodec.JSON.writeValueAsString(body));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r.body());
  }

  static void ingest(TestServer server, String key, List<?> events) {
    HttpResponse<String> r = server.post("/api/v1/events", key, "application/json", Envelopes.array(events));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r.body()).get("accepted").intValue()).isEqualTo(events.size());
  }

  static List<Object> events(String prefix, String type, int count) {
    return IntStream.range(0, count).mapToObj(i -> (Object) Envelopes.event(prefix + "-" + i, type, "agent-1",
        "run-1", Map.of("n", i))).toList();
  }

  static List<JsonNode> deliveries(TestServer server, String key, String webhookId, String query) {
    HttpResponse<String> r = server.get("/api/v1/webhooks/" + webhookId + "/deliveries" + query, key);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    List<JsonNode> out = new ArrayList<>();
    json(r.body()).get("deliveries").forEach(out::add);
    return out;
  }

  /** The state of the webhook's one delivery, or null while it has none yet (the matcher runs behind ingest). */
  private String stateOfOnlyDelivery(String webhookId) {
    return stateOfOnlyDelivery(ADMIN_KEY, webhookId);
  }

  private String stateOfOnlyDelivery(String key, String webhookId) {
    List<JsonNode> all = deliveries(server, key, webhookId, "");
    return all.size() == 1 ? all.getFirst().get("state").stringValue() : null;
  }

  private JsonNode onlyDelivery(String webhookId) {
    return onlyDelivery(ADMIN_KEY, webhookId);
  }

  private JsonNode onlyDelivery(String key, String webhookId) {
    List<JsonNode> all = deliveries(server, key, webhookId, "");
    assertThat(all).hasSize(1);
    return all.getFirst();
  }

  private static List<Receiver.Hit> byArrival(List<Receiver.Hit> hits) {
    return hits.stream().sorted(Comparator.comparingLong(Receiver.Hit::atNanos)).toList();
  }

  @Test
  void anAlertIsDeliveredOnceAsTheEventEnvelopeWithAValidStandardWebhooksSignature() {
    // A tenant of its own, so no other test's traffic raises alerts here.
    String key = server.newKey("alerting", "admin", "ingest", "read");
    Receiver receiver = receiver(Receiver.OK);
    String id = createWebhook(server, key, receiver.url(), null, SECRET).get("id").stringValue();

    // Completing a task assigned to someone else is an inconsistency the analytics raises at once.
    ingest(server, key, List.of(
        Envelopes.event("assign-1", "task.assigned", "manager", "run-1", Map.of("taskId", "k1", "assignee", "agent-1")),
        Envelopes.event("foreign-1", "task.completed", "agent-2", "run-1", Map.of("taskId", "k1"))));
    TestServer.await("the alert delivered", 20, () -> receiver.successes().size() == 1);

    Receiver.Hit hit = receiver.hits().getFirst();
    assertThat(hit.signedWith(SECRET)).as("signature " + hit.signature()).isTrue();
    assertThat(hit.signature()).startsWith("v1,");
    assertThat(hit.id()).matches("msg_[0-9a-f]{32}");
    assertThat(Math.abs(Long.parseLong(hit.timestamp()) - System.currentTimeMillis() / 1000)).isLessThan(60);
    assertThat(hit.contentType()).isEqualTo("application/json");
    assertThat(hit.userAgent()).startsWith("Agentwatch-Webhooks/");
    JsonNode event = json(hit.body());
    assertThat(event.get("type").stringValue()).isEqualTo("alert.raised");
    assertThat(event.get("tenant").stringValue()).isEqualTo("alerting");
    assertThat(event.get("data").get("detector").stringValue()).isEqualTo("inconsistent_agent");
    assertThat(event.get("data").get("evidence").toString()).contains("foreign-1");
    assertThat(event.has("cursor")).isTrue();
    assertThat(event.has("receivedAt")).isTrue();
    TestServer.await("the delivery recorded as delivered", 10,
        () -> "delivered".equals(stateOfOnlyDelivery(key, id)));
    JsonNode delivery = onlyDelivery(key, id);
    assertThat(delivery.get("id").stringValue()).isEqualTo(hit.id());
    assertThat(delivery.get("attempts").intValue()).isEqualTo(1);
    assertThat(delivery.get("lastStatus").intValue()).isEqualTo(200);
    assertThat(delivery.get("nextAttempt").isNull()).isTrue();
    assertThat(server.delete("/api/v1/webhooks/" + id, key).statusCode()).isEqualTo(204);
  }

  @Test
  void aFailingEndpointIsRetriedWithTheConfiguredSpacingUntilItAnswers() {
    Receiver receiver = receiver((n, k, body) -> k < 2 ? 500 : 204);
    String id = createWebhook(server, ADMIN_KEY, receiver.url(), List.of("spacing.*"), SECRET).get("id")
        .stringValue();

    ingest(server, ADMIN_KEY, events("spacing", "spacing.ping", 1));
    TestServer.await("delivered on the third attempt", 20, () -> receiver.successes().size() == 1);

    List<Receiver.Hit> hits = byArrival(receiver.hits());
    assertThat(hits).extracting(Receiver.Hit::status).containsExactly(500, 500, 204);
    assertThat(hits).extracting(Receiver.Hit::id).containsOnly(hits.getFirst().id());
    assertThat(hits).allMatch(h -> h.signedWith(SECRET));
    for (int i = 1; i < hits.size(); i++) {
      long waited = Duration.ofNanos(hits.get(i).atNanos() - hits.get(i - 1).atNanos()).toMillis();
      assertThat(waited).as("wait before attempt %d", i + 1)
          .isGreaterThanOrEqualTo((long) (BACKOFF.get(i - 1).toMillis() * (1 - JITTER)));
    }
    TestServer.await("recorded as delivered", 10, () -> onlyDelivery(id).get("state").stringValue()
        .equals("delivered"));
    assertThat(onlyDelivery(id).get("attempts").intValue()).isEqualTo(3);
    assertThat(onlyDelivery(id).get("lastStatus").intValue()).isEqualTo(204);
  }

  @Test
  void anEndpointThatDoesNotAnswerInTimeIsTriedAgain() {
    Receiver receiver = receiver((n, k, body) -> {
      if (k == 0) {
        Thread.sleep(4000);
      }
      return 200;
    });
    String id = createWebhook(server, ADMIN_KEY, receiver.url(), List.of("slow.*"), SECRET).get("id").stringValue();

    ingest(server, ADMIN_KEY, events("slow", "slow.ping", 1));
    TestServer.await("a first attempt that timed out", 20,
        () -> onlyDelivery(id).get("attempts").intValue() >= 1);
    JsonNode afterTimeout = onlyDelivery(id);
    if (afterTimeout.get("state").stringValue().equals("pending")) {
      assertThat(afterTimeout.get("lastError").stringValue()).isEqualTo("no answer within 2000 ms");
      assertThat(afterTimeout.get("lastStatus").isNull()).isTrue();
    }
    TestServer.await("delivered on the second attempt", 20,
        () -> "delivered".equals(stateOfOnlyDelivery(id)));

    assertThat(onlyDelivery(id).get("attempts").intValue()).isEqualTo(2);
    TestServer.await("the receiver done with the first request", 10, () -> receiver.hits().size() == 2);
    assertThat(receiver.hits()).extracting(Receiver.Hit::id).containsOnly(onlyDelivery(id).get("id").stringValue());
  }

  @Test
  void afterTheLastAttemptADeliveryIsDeadAndRedeliveringSendsItAgain() {
    Receiver receiver = receiver((n, k, body) -> 503);
    String id = createWebhook(server, ADMIN_KEY, receiver.url(), List.of("doomed.*"), SECRET).get("id")
        .stringValue();

    ingest(server, ADMIN_KEY, events("doomed", "doomed.ping", 1));
    TestServer.await("dead after the last attempt", 30,
        () -> "dead".equals(stateOfOnlyDelivery(id)));

    JsonNode dead = deliveries(server, ADMIN_KEY, id, "?state=dead").getFirst();
    assertThat(dead.get("attempts").intValue()).isEqualTo(MAX_ATTEMPTS);
    assertThat(dead.get("lastStatus").intValue()).isEqualTo(503);
    assertThat(dead.get("lastError").stringValue()).isEqualTo("answered 503");
    assertThat(dead.get("nextAttempt").isNull()).isTrue();
    assertThat(receiver.hits()).hasSize(MAX_ATTEMPTS);
    assertThat(deliveries(server, ADMIN_KEY, id, "?state=pending")).isEmpty();

    receiver.behave(Receiver.OK);
    String deliveryId = dead.get("id").stringValue();
    HttpResponse<String> again = server.post("/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/redeliver",
        ADMIN_KEY, null, "");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
    assertThat(json(again.body()).get("state").stringValue()).isEqualTo("pending");
    assertThat(json(again.body()).get("attempts").intValue()).isZero();
    TestServer.await("delivered after redelivery", 20,
        () -> "delivered".equals(stateOfOnlyDelivery(id)));
    assertThat(onlyDelivery(id).get("attempts").intValue()).isEqualTo(1);

    // A delivered one can be sent again too, under the same webhook-id.
    server.post("/api/v1/webhooks/" + id + "/deliveries/" + deliveryId + "/redeliver", ADMIN_KEY, null, "");
    TestServer.await("sent once more", 20, () -> receiver.successes().size() == 2);
    assertThat(receiver.hits()).extracting(Receiver.Hit::id).containsOnly(deliveryId);
    assertThat(receiver.hits()).allMatch(h -> h.signedWith(SECRET));

    JsonNode one = json(server.get("/api/v1/webhooks/" + id + "/deliveries/" + deliveryId, ADMIN_KEY).body());
    assertThat(one.get("event").get("id").stringValue()).isEqualTo("doomed-0");
  }

  @Test
  void aHangingEndpointDelaysNeitherIngestNorAHealthyOneAndItsCircuitOpens() {
    Receiver hanging = receiver((n, k, body) -> {
      Thread.sleep(10_000);
      return 200;
    });
    Receiver healthy = receiver(Receiver.OK);
    String hangingId = createWebhook(server, ADMIN_KEY, hanging.url(), List.of("pair.*"), SECRET).get("id")
        .stringValue();
    createWebhook(server, ADMIN_KEY, healthy.url(), List.of("pair.*"), SECRET);

    for (int batch = 0; batch < 4; batch++) {
      ingest(server, ADMIN_KEY, events("pair-" + batch, "pair.ping", 10));
    }
    TestServer.await("the healthy endpoint got all 40", 30, () -> healthy.successes().size() == 40);

    assertThat(deliveries(server, ADMIN_KEY, hangingId, "?state=delivered")).as("nothing got through").isEmpty();
    assertThat(deliveries(server, ADMIN_KEY, hangingId, "?state=pending&limit=1000")).as("still waiting")
        .isNotEmpty();
    TestServer.await("the hanging endpoint's circuit opened", 30, () -> server.get("/actuator/prometheus", null)
        .body().lines().anyMatch(l -> l.startsWith("agentwatch_webhook_circuits_open") && !l.endsWith(" 0.0")));
    assertThat(deliveries(server, ADMIN_KEY, hangingId, "?limit=1000"))
        .allSatisfy(d -> assertThat(d.get("attempts").intValue()).isLessThan(MAX_ATTEMPTS));
    assertThat(hanging.hits().size()).as("requests that reached the hanging endpoint").isLessThan(20);
  }

  /** Seeded: {@code -Dagentwatch.seed=<seed>} replays the same answers. */
  @Test
  void withAnEndpointThatFailsTimesOutAndRecoversEveryEventArrivesAtLeastOnceSigned() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    Map<Integer, int[]> plan = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      // How each event's first attempt goes: 0 answers, 1 fails, 2 hangs past the timeout.
      plan.put(i, new int[] {random.nextInt(3)});
    }
    Receiver receiver = receiver((n, k, body) -> {
      int i = json(body).get("data").get("n").intValue();
      if (k > 0) {
        return 200;
      }
      return switch (plan.get(i)[0]) {
        case 1 -> 502;
        case 2 -> {
          Thread.sleep(3000);
          yield 200;
        }
        default -> 200;
      };
    });
    createWebhook(server, ADMIN_KEY, receiver.url(), List.of("flaky.ping"), SECRET);

    ingest(server, ADMIN_KEY, events("flaky", "flaky.ping", 30));
    TestServer.await("seed=" + seed + ": all 30 events arrived", 60,
        () -> receiver.successes().stream().map(Receiver.Hit::eventId).distinct().count() == 30);

    assertThat(receiver.hits()).as("seed=%d", seed).allMatch(h -> h.signedWith(SECRET));
    Map<String, Set<String>> idsByEvent = receiver.hits().stream().collect(Collectors.groupingBy(
        Receiver.Hit::eventId, Collectors.mapping(Receiver.Hit::id, Collectors.toSet())));
    assertThat(idsByEvent.values()).as("seed=%d: one webhook-id per event", seed).allMatch(ids -> ids.size() == 1);
  }

  @Test
  void aTenantSeesAndReceivesOnlyItsOwnWebhooksAndEvents() {
    String acmeAdmin = server.newKey("acme", "admin", "ingest", "read");
    Receiver acmeReceiver = receiver(Receiver.OK);
    Receiver defaultReceiver = receiver(Receiver.OK);
    String acmeHook = createWebhook(server, acmeAdmin, acmeReceiver.url(), List.of("wall.*"), null).get("id")
        .stringValue();
    String defaultHook = createWebhook(server, ADMIN_KEY, defaultReceiver.url(), List.of("wall.*"), null).get("id")
        .stringValue();

    ingest(server, ADMIN_KEY, events("wall-default", "wall.ping", 2));
    ingest(server, acmeAdmin, events("wall-acme", "wall.ping", 3));
    TestServer.await("both delivered", 20,
        () -> acmeReceiver.successes().size() == 3 && defaultReceiver.successes().size() == 2);

    assertThat(acmeReceiver.hits()).allSatisfy(h -> assertThat(json(h.body()).get("tenant").stringValue())
        .isEqualTo("acme"));
    assertThat(defaultReceiver.hits()).allSatisfy(h -> assertThat(json(h.body()).get("tenant").stringValue())
        .isEqualTo("default"));
    JsonNode acmeList = json(server.get("/api/v1/webhooks", acmeAdmin).body());
    assertThat(acmeList.get("webhooks")).hasSize(1);
    assertThat(acmeList.get("webhooks").get(0).get("id").stringValue()).isEqualTo(acmeHook);
    String defaultDelivery = deliveries(server, ADMIN_KEY, defaultHook, "").getFirst().get("id").stringValue();
    assertProblem(server.get("/api/v1/webhooks/" + defaultHook, acmeAdmin), 404, "no webhook");
    assertProblem(server.get("/api/v1/webhooks/" + defaultHook + "/deliveries", acmeAdmin), 404, "no webhook");
    assertProblem(server.post("/api/v1/webhooks/" + defaultHook + "/deliveries/" + defaultDelivery + "/redeliver",
        acmeAdmin, null, ""), 404, "no webhook");
    assertProblem(server.post("/api/v1/webhooks/" + acmeHook + "/deliveries/" + defaultDelivery + "/redeliver",
        acmeAdmin, null, ""), 404, "no delivery");
    assertProblem(server.delete("/api/v1/webhooks/" + defaultHook, acmeAdmin), 404, "no webhook");
  }

  @Test
  void aGeneratedSecretIsShownOnlyOnCreationAndSignsTheDeliveries() {
    Receiver receiver = receiver(Receiver.OK);
    JsonNode created = createWebhook(server, ADMIN_KEY, receiver.url(), List.of("secretive.*"), null);
    String secret = created.get("secret").stringValue();
    String id = created.get("id").stringValue();
    assertThat(secret).startsWith("whsec_");
    assertThat(created.get("types").get(0).stringValue()).isEqualTo("secretive.*");
    assertThat(created.get("enabled").booleanValue()).isTrue();

    assertThat(server.get("/api/v1/webhooks", ADMIN_KEY).body()).contains(id).doesNotContain(secret)
        .doesNotContain("whsec_");
    assertThat(server.get("/api/v1/webhooks/" + id, ADMIN_KEY).body()).doesNotContain("whsec_");
    ingest(server, ADMIN_KEY, events("secretive", "secretive.ping", 1));
    TestServer.await("delivered", 20, () -> receiver.successes().size() == 1);
    assertThat(receiver.hits().getFirst().signedWith(secret)).isTrue();
    assertThat(receiver.hits().getFirst().signedWith(SECRET)).isFalse();
  }

  @Test
  void aDisabledWebhookReceivesNothingUntilEnabledAgain() {
    Receiver receiver = receiver(Receiver.OK);
    String id = createWebhook(server, ADMIN_KEY, receiver.url(), List.of("paused.*"), SECRET).get("id")
        .stringValue();

    HttpResponse<String> off = server.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + id))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":false}")).build());
    assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
    assertThat(json(off.body()).get("enabled").booleanValue()).isFalse();
    ingest(server, ADMIN_KEY, events("paused-off", "paused.ping", 2));
    server.send(java.net.http.HttpRequest.newBuilder(server.uri("/api/v1/webhooks/" + id))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("{\"enabled\":true}")).build());
    ingest(server, ADMIN_KEY, events("paused-on", "paused.ping", 1));
    TestServer.await("the event after enabling delivered", 20, () -> receiver.successes().size() == 1);

    assertThat(receiver.hits().getFirst().eventId()).isEqualTo("paused-on-0");
    assertThat(deliveries(server, ADMIN_KEY, id, "")).hasSize(1);
  }
}
