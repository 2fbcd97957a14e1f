package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.WebhookDeliveryEndToEndTest.SECRET;
import static io.agentwatch.server.WebhookDeliveryEndToEndTest.createWebhook;
import static io.agentwatch.server.WebhookDeliveryEndToEndTest.deliveries;
import static io.agentwatch.server.WebhookDeliveryEndToEndTest.events;
import static io.agentwatch.server.WebhookDeliveryEndToEndTest.ingest;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delivery queue is kept in the store: a server stopped while its receiver fails, restarted
 * on the same data folder once the receiver works again, delivers every event, also those
 * ingested just before the stop and possibly not matched yet.
 */
class WebhookRestartEndToEndTest {

  private static final String[] SETTINGS = {
      "--agentwatch.webhook.allow-private=true",
      "--agentwatch.webhook.backoff=200ms",
      "--agentwatch.webhook.jitter=0.1",
      "--agentwatch.webhook.max-attempts=100",
      "--agentwatch.webhook.timeout=2s",
      "--agentwatch.webhook.poll-interval=50ms",
      "--agentwatch.webhook.circuit-open-for=500ms"};

  @TempDir
  Path data;

  @Test
  void pendingDeliveriesSurviveARestartAndAreDeliveredWhenTheReceiverRecovers() {
    try (Receiver receiver = Receiver.start((n, k, body) -> 503)) {
      String webhookId;
      try (TestServer first = TestServer.start(data, SETTINGS)) {
        webhookId = createWebhook(first, ADMIN_KEY, receiver.url(), List.of("restart.*"), SECRET).get("id")
            .stringValue();
        ingest(first, ADMIN_KEY, events("early", "restart.ping", 10));
        TestServer.await("every early delivery tried and failed", 30,
            () -> deliveries(first, ADMIN_KEY, webhookId, "?limit=1000").size() == 10
                && deliveries(first, ADMIN_KEY, webhookId, "?limit=1000").stream()
                    .allMatch(d -> d.get("attempts").intValue() >= 1 && d.get("state").stringValue().equals("pending")));
        ingest(first, ADMIN_KEY, events("late", "restart.ping", 5));
      }
      assertThat(receiver.successes()).isEmpty();

      receiver.behave(Receiver.OK);
      try (TestServer second = TestServer.start(data, SETTINGS)) {
        Set<String> expected = IntStream.range(0, 15)
            .mapToObj(i -> i < 10 ? "early-" + i : "late-" + (i - 10)).collect(Collectors.toSet());
        TestServer.await("all 15 events delivered after the restart", 60, () -> receiver.successes().stream()
            .map(Receiver.Hit::eventId).collect(Collectors.toSet()).equals(expected));

        assertThat(receiver.hits()).allMatch(h -> h.signedWith(SECRET));
        TestServer.await("all recorded as delivered", 20, () -> deliveries(second, ADMIN_KEY, webhookId,
            "?state=delivered&limit=1000").size() == 15);
        assertThat(deliveries(second, ADMIN_KEY, webhookId, "?state=pending")).isEmpty();
      }
    }
  }
}
