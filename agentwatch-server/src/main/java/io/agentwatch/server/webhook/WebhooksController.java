package io.agentwatch.server.webhook;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.DeliveryState;
import io.agentwatch.core.webhook.RefusedAddressException;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookService;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/webhooks}: a tenant's admin manages its webhook subscriptions and looks at and
 * redelivers their deliveries. Everything needs the {@code admin} scope and stays within the
 * caller's tenant; another tenant's ids are answered as unknown (404), so ids reveal nothing.
 * Secrets are never shown again after creation, and only a generated one is shown then. Like
 * {@link WebhookConfiguration}, only in the serving application.
 */
@RestController
@ConditionalOnWebApplication
@RequestMapping("/api/v1/webhooks")
public class WebhooksController {

  private static final int DEFAULT_LIMIT = 100;

  private final WebhookService webhooks;

  public WebhooksController(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  /** The body of {@code POST /api/v1/webhooks}. */
  public record NewWebhook(String url, String secret, List<String> types, Boolean enabled) {}

  /** The body of {@code PATCH /api/v1/webhooks/{id}}. */
  public record WebhookChange(Boolean enabled) {}

  @PostMapping
  ResponseEntity<Map<String, Object>> create(Caller caller, @RequestBody(required = false) NewWebhook body) {
    caller.require(Scope.ADMIN);
    if (body == null) {
      throw ApiException.badRequest("body must be {\"url\":\"https://…\",\"secret\":\"whsec_…\",\"types\":[…],"
          + "\"enabled\":true} (only url is required)");
    }
    WebhookService.Created created;
    try {
      created = webhooks.create(caller.tenant(), body.url(), body.secret(), body.types(), body.enabled());
    } catch (IllegalArgumentException | RefusedAddressException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    Map<String, Object> answer = describe(created.webhook());
    if (created.generatedSecret()) {
      answer.put("secret", created.webhook().secret());
    }
    return ResponseEntity.created(URI.create("/api/v1/webhooks/" + created.webhook().id())).body(answer);
  }

  @GetMapping
  Map<String, Object> list(Caller caller) {
    caller.require(Scope.ADMIN);
    return Map.of("webhooks", webhooks.list(caller.tenant()).stream().map(WebhooksController::describe).toList());
  }

  @GetMapping("/{id}")
  Map<String, Object> get(Caller caller, @PathVariable String id) {
    caller.require(Scope.ADMIN);
    return describe(webhooks.find(caller.tenant(), id).orElseThrow(() -> noWebhook(id)));
  }

  @PatchMapping("/{id}")
  Map<String, Object> change(Caller caller, @PathVariable String id,
      @RequestBody(required = false) WebhookChange body) {
    caller.require(Scope.ADMIN);
    if (body == null || body.enabled() == null) {
      throw ApiException.badRequest("body must be {\"enabled\":true} or {\"enabled\":false}");
    }
    return describe(webhooks.setEnabled(caller.tenant(), id, body.enabled()).orElseThrow(() -> noWebhook(id)));
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> remove(Caller caller, @PathVariable String id) {
    caller.require(Scope.ADMIN);
    if (!webhooks.remove(caller.tenant(), id)) {
      throw noWebhook(id);
    }
    return ResponseEntity.noContent().build();
  }

  /** {@code ?state=pending|delivered|dead&limit=&before=<next of the previous page>}, newest first. */
  @GetMapping("/{id}/deliveries")
  Map<String, Object> deliveries(Caller caller, @PathVariable String id,
      @RequestParam(required = false) String state, @RequestParam(required = false) String limit,
      @RequestParam(required = false) String before) {
    caller.require(Scope.ADMIN);
    DeliveryState wanted = null;
    if (state != null && !state.isBlank()) {
      try {
        wanted = DeliveryState.of(state.trim());
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      }
    }
    int max = Params.limit(limit, DEFAULT_LIMIT);
    List<Delivery> page = webhooks.deliveries(caller.tenant(), id, wanted, beforeSeq(before), max)
        .orElseThrow(() -> noWebhook(id));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("deliveries", page.stream().map(WebhooksController::describe).toList());
    answer.put("next", page.size() == max ? Long.toString(page.getLast().seq()) : null);
    return answer;
  }

  /** One delivery with the event it carries. */
  @GetMapping("/{id}/deliveries/{deliveryId}")
  Map<String, Object> delivery(Caller caller, @PathVariable String id, @PathVariable String deliveryId) {
    caller.require(Scope.ADMIN);
    requireWebhook(caller, id);
    Delivery d = webhooks.delivery(caller.tenant(), id, deliveryId).orElseThrow(() -> noDelivery(id, deliveryId));
    Map<String, Object> answer = describe(d);
    answer.put("event", EventCodec.JSON.readTree(d.body()));
    return answer;
  }

  @PostMapping("/{id}/deliveries/{deliveryId}/redeliver")
  ResponseEntity<Map<String, Object>> redeliver(Caller caller, @PathVariable String id,
      @PathVariable String deliveryId) {
    caller.require(Scope.ADMIN);
    requireWebhook(caller, id);
    Delivery again = webhooks.redeliver(caller.tenant(), id, deliveryId)
        .orElseThrow(() -> noDelivery(id, deliveryId));
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(describe(again));
  }

  private void requireWebhook(Caller caller, String id) {
    if (webhooks.find(caller.tenant(), id).isEmpty()) {
      throw noWebhook(id);
    }
  }

  private static Long beforeSeq(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      long seq = Long.parseLong(text.trim());
      if (seq < 1) {
        throw new NumberFormatException();
      }
      return seq;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("before must be the 'next' value of a previous page but was '" + text + "'");
    }
  }

  private static ApiException noWebhook(String id) {
    return ApiException.notFound("no webhook with id '" + id + "'");
  }

  private static ApiException noDelivery(String webhookId, String deliveryId) {
    return ApiException.notFound("webhook '" + webhookId + "' has no delivery with id '" + deliveryId + "'");
  }

  private static Map<String, Object> describe(Webhook w) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", w.id());
    out.put("url", w.url().toString());
    out.put("types", w.types());
    out.put("enabled", w.enabled());
    out.put("created", w.created().toString());
    return out;
  }

  private static Map<String, Object> describe(Delivery d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", d.id());
    out.put("eventId", d.eventId());
    out.put("eventType", d.eventType());
    out.put("state", d.state().label());
    out.put("attempts", d.attempts());
    out.put("lastStatus", d.lastStatus());
    out.put("lastError", d.lastError());
    out.put("lastAttempt", text(d.lastAttempt()));
    out.put("nextAttempt", text(d.nextAttempt()));
    out.put("created", d.created().toString());
    return out;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }
}
