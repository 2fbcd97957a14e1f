package io.agentwatch.server.webhook;

import io.agentwatch.core.webhook.AddressPolicy;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.RefusedAddressException;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookSignature;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes one delivery attempt: checks the URL's addresses again (DNS answers change), signs the
 * body for this attempt's timestamp and POSTs it. A 2xx answer within the timeout (body
 * included) is success; redirects are not followed, so a 3xx is a failure like any other.
 */
final class WebhookPoster {

  static final String USER_AGENT = "Agentwatch-Webhooks/1";

  /** What one attempt came to: the answer's status (null without one) and, when it failed, why. */
  record Attempt(Integer status, String error) {
    boolean succeeded() {
      return error == null;
    }
  }

  private final AddressPolicy addresses;
  private final Duration timeout;
  private final Clock clock;
  private final HttpClient client;

  WebhookPoster(AddressPolicy addresses, Duration timeout, Clock clock) {
    this.addresses = addresses;
    this.timeout = timeout;
    this.clock = clock;
    this.client = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /**
   * POSTs {@code delivery} to {@code webhook}; never throws for what the endpoint does.
   *
   * @throws InterruptedException when the sender is stopping: the attempt does not count
   */
  Attempt post(Webhook webhook, Delivery delivery) throws InterruptedException {
    try {
      addresses.check(webhook.url());
    } catch (RefusedAddressException e) {
      return new Attempt(null, "not sent: " + e.getMessage());
    }
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request = HttpRequest.newBuilder(webhook.url())
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("User-Agent", USER_AGENT)
        .header("webhook-id", delivery.id())
        .header("webhook-timestamp", Long.toString(timestamp))
        .header("webhook-signature", WebhookSignature.sign(webhook.secret(), delivery.id(), timestamp, delivery.body()))
        .POST(HttpRequest.BodyPublishers.ofString(delivery.body()))
        .build();
    CompletableFuture<HttpResponse<Void>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    try {
      int status = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
      if (status >= 200 && status < 300) {
        return new Attempt(status, null);
      }
      return new Attempt(status, "answered " + status + (status >= 300 && status < 400
          ? " (redirects are not followed)" : ""));
    } catch (TimeoutException e) {
      answer.cancel(true);
      return noAnswer();
    } catch (InterruptedException e) {
      answer.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      return failed(e.getCause());
    }
  }

  private Attempt noAnswer() {
    return new Attempt(null, "no answer within " + timeout.toMillis() + " ms");
  }

  private Attempt failed(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return noAnswer();
    }
    if (cause instanceof ConnectException) {
      return new Attempt(null, "could not connect" + detail(cause));
    }
    if (cause instanceof IOException) {
      return new Attempt(null, "request failed: " + cause.getClass().getSimpleName() + detail(cause));
    }
    return new Attempt(null, "request failed: " + cause);
  }

  private static String detail(Throwable t) {
    return t.getMessage() == null || t.getMessage().isBlank() ? "" : ": " + t.getMessage();
  }
}
