package io.agentwatch.server.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.webhook.AddressPolicy;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.DeliveryState;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.model.Cursor;
import io.agentwatch.server.Receiver;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One attempt against a real receiver on 127.0.0.1. */
class WebhookPosterTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private static Webhook webhook(String url) {
    return new Webhook("wh_posterposterpost", "t1", URI.create(url), SECRET, List.of("*"), true, Instant.EPOCH,
        Cursor.at("s", 0));
  }

  private static Delivery delivery() {
    return new Delivery(Delivery.idFor("wh_posterposterpost", "e1"), 1, "t1", "wh_posterposterpost", "e1",
        "alert.raised", "{\"id\":\"e1\",\"note\":\"é\"}", DeliveryState.PENDING, 0, Instant.EPOCH, null, null, null,
        Instant.EPOCH, 0);
  }

  /** A timeout generous enough for a loaded machine, where a slow answer is not what is tested. */
  private static WebhookPoster poster(boolean allowPrivate) {
    return poster(allowPrivate, Duration.ofSeconds(10));
  }

  private static WebhookPoster poster(boolean allowPrivate, Duration timeout) {
    return new WebhookPoster(new AddressPolicy(allowPrivate), timeout, Clock.systemUTC());
  }

  @Test
  void aTwoHundredAnswerIsSuccessAndTheRequestIsSigned() throws Exception {
    try (Receiver receiver = Receiver.start((n, k, body) -> 202)) {
      WebhookPoster.Attempt attempt = poster(true).post(webhook(receiver.url()), delivery());

      assertThat(attempt).isEqualTo(new WebhookPoster.Attempt(202, null));
      Receiver.Hit hit = receiver.hits().getFirst();
      assertThat(hit.body()).isEqualTo("{\"id\":\"e1\",\"note\":\"é\"}");
      assertThat(hit.signedWith(SECRET)).isTrue();
    }
  }

  @Test
  void aRedirectIsNotFollowedButCountsAsAFailure() throws Exception {
    try (Receiver receiver = Receiver.start((n, k, body) -> 302)) {
      WebhookPoster.Attempt attempt = poster(true).post(webhook(receiver.url()), delivery());

      assertThat(attempt).isEqualTo(new WebhookPoster.Attempt(302, "answered 302 (redirects are not followed)"));
      assertThat(receiver.hits()).hasSize(1);
    }
  }

  @Test
  void anAddressThatBecameForbiddenIsNotSentToAndSaysWhy() throws Exception {
    try (Receiver receiver = Receiver.start(Receiver.OK)) {
      WebhookPoster.Attempt attempt = poster(false).post(webhook(receiver.url()), delivery());

      assertThat(attempt.status()).isNull();
      assertThat(attempt.error()).startsWith("not sent: url host '127.0.0.1' resolves to a loopback address");
      assertThat(receiver.hits()).isEmpty();
    }
  }

  @Test
  void aClosedPortAndASlowAnswerAreFailuresWithoutAStatus() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    WebhookPoster.Attempt refused = poster(true).post(webhook("http://127.0.0.1:" + closedPort + "/hook"),
        delivery());
    assertThat(refused.status()).isNull();
    assertThat(refused.error()).startsWith("could not connect");

    try (Receiver slow = Receiver.start((n, k, body) -> {
      Thread.sleep(4000);
      return 200;
    })) {
      assertThat(poster(true, Duration.ofSeconds(1)).post(webhook(slow.url()), delivery()))
          .isEqualTo(new WebhookPoster.Attempt(null, "no answer within 1000 ms"));
    }
  }
}
