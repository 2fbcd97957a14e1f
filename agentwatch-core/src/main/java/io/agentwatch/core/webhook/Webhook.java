package io.agentwatch.core.webhook;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A tenant's webhook subscription: matching events of that tenant are POSTed to {@code url},
 * signed with {@code secret}.
 *
 * @param id      {@code wh_} and 16 letters or digits, made by the server
 * @param tenant  the one tenant whose events it receives
 * @param url     an absolute http or https URL without credentials or fragment
 * @param secret  the signing secret, {@code whsec_<base64>} (see {@link WebhookSecret})
 * @param types   event type patterns ({@code alert.*}, {@code task.failed}, {@code *}); at least one
 * @param enabled false: no new deliveries are made and pending ones wait
 * @param created when it was created
 * @param after   the log's head when it was created: only events appended later are delivered
 */
public record Webhook(
    String id, String tenant, URI url, String secret, List<String> types, boolean enabled, Instant created,
    Cursor after) {

  public static final int MAX_URL_LENGTH = 2000;
  public static final int MAX_TYPES = 50;
  /** What a subscription without a type filter receives: the alerts analytics raises. */
  public static final List<String> DEFAULT_TYPES = List.of("alert.*");

  public Webhook {
    if (id == null || !id.matches("wh_[A-Za-z0-9]{16}")) {
      throw new IllegalArgumentException("webhook id must be wh_ and 16 letters or digits but was " + id);
    }
    ApiKey.requireTenant(tenant);
    requireUrl(url);
    WebhookSecret.key(secret);
    types = requireTypes(types);
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(after, "after");
  }

  /** Parses and checks a URL as given by a client; the address it resolves to is checked elsewhere. */
  public static URI parseUrl(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("url is required");
    }
    if (text.length() > MAX_URL_LENGTH) {
      throw new IllegalArgumentException("url must be at most " + MAX_URL_LENGTH + " characters but has "
          + text.length());
    }
    URI url;
    try {
      url = new URI(text.trim());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("url is not a valid URL: " + e.getMessage());
    }
    requireUrl(url);
    return url;
  }

  private static void requireUrl(URI url) {
    Objects.requireNonNull(url, "url");
    String scheme = url.getScheme() == null ? null : url.getScheme().toLowerCase(Locale.ROOT);
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("url must be an absolute http:// or https:// URL but was '" + url + "'");
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      throw new IllegalArgumentException("url must name a host (letters, digits, dots and dashes, or an IP address)"
          + " but was '" + url + "'");
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException("url must not carry credentials (user:password@); authenticate the"
          + " deliveries by their signature instead");
    }
    if (url.getRawFragment() != null) {
      throw new IllegalArgumentException("url must not have a fragment (#…) but was '" + url + "'");
    }
  }

  private static List<String> requireTypes(List<String> types) {
    if (types == null || types.isEmpty()) {
      throw new IllegalArgumentException("types must list at least one event type or pattern");
    }
    if (types.size() > MAX_TYPES) {
      throw new IllegalArgumentException("types must list at most " + MAX_TYPES + " patterns but lists "
          + types.size());
    }
    for (String t : types) {
      if (t == null || !t.matches("\\*|[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*(\\.\\*)?")) {
        throw new IllegalArgumentException("types must hold event types like task.failed or prefixes like alert.*"
            + " (or * for all) but held '" + t + "'");
      }
    }
    // Also checks what EventFilter checks, so matching never fails later.
    return new EventFilter(null, null, types).types();
  }

  /** The filter this subscription matches types with. */
  public EventFilter filter() {
    return new EventFilter(null, null, types);
  }

  /** Whether {@code event} is of this webhook's tenant and was appended after the webhook was created. */
  public boolean follows(StoredEvent event) {
    if (!tenant.equals(event.tenant())) {
      return false;
    }
    // A cursor of another store (the log was replaced) covers none of its events.
    return !after.storeId().equals(event.cursor().storeId()) || !after.covers(event.partition(), event.offset());
  }

  /** The same subscription, enabled or disabled. */
  public Webhook withEnabled(boolean on) {
    return new Webhook(id, tenant, url, secret, types, on, created, after);
  }
}
