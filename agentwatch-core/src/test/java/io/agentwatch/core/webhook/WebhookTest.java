package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.model.Cursor;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookTest {

  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private static Webhook webhook(List<String> types) {
    return new Webhook("wh_abcdefghijklmnop", "t1", URI.create("https://hooks.example.com/in"), SECRET, types, true,
        Instant.EPOCH, Cursor.at("s1", 3));
  }

  @Test
  void urlsMustBeAbsoluteHttpOrHttpsWithAHostAndNoCredentialsOrFragment() {
    assertThat(Webhook.parseUrl(" https://hooks.example.com:8443/in?x=1 ").getPort()).isEqualTo(8443);
    assertThat(Webhook.parseUrl("http://[::1]:9000/x").getHost()).isEqualTo("[::1]");

    assertThatThrownBy(() -> Webhook.parseUrl(null)).hasMessage("url is required");
    assertThatThrownBy(() -> Webhook.parseUrl("/relative")).hasMessageContaining("absolute http:// or https://");
    assertThatThrownBy(() -> Webhook.parseUrl("ftp://files.example.com/")).hasMessageContaining("but was 'ftp://");
    assertThatThrownBy(() -> Webhook.parseUrl("file:///etc/passwd")).hasMessageContaining("absolute http://");
    assertThatThrownBy(() -> Webhook.parseUrl("https://exa mple.com/")).hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> Webhook.parseUrl("https:///nohost")).hasMessageContaining("must name a host");
    assertThatThrownBy(() -> Webhook.parseUrl("https://bad_host.example.com/")).hasMessageContaining("must name a host");
    assertThatThrownBy(() -> Webhook.parseUrl("https://user:pw@hooks.example.com/"))
        .hasMessageContaining("credentials").hasMessageNotContaining("pw@");
    assertThatThrownBy(() -> Webhook.parseUrl("https://hooks.example.com/#x")).hasMessageContaining("fragment");
    assertThatThrownBy(() -> Webhook.parseUrl("https://h.example.com/" + "a".repeat(2000)))
        .hasMessageContaining("at most 2000");
  }

  @Test
  void typesAreEventTypesOrPrefixPatterns() {
    assertThat(webhook(List.of("alert.*", "task.failed", "log", "*")).types()).hasSize(4);

    assertThatThrownBy(() -> webhook(List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> webhook(List.of("Alert.*"))).hasMessageContaining("held 'Alert.*'");
    assertThatThrownBy(() -> webhook(List.of("alert*"))).hasMessageContaining("held 'alert*'");
    assertThatThrownBy(() -> webhook(List.of("a.*.b"))).hasMessageContaining("held 'a.*.b'");
    assertThatThrownBy(() -> webhook(java.util.Collections.nCopies(51, "log"))).hasMessageContaining("at most 50");
  }

  @Test
  void aWebhookMatchesTypesByItsFilter() {
    Webhook w = webhook(List.of("alert.*", "task.failed"));

    assertThat(w.filter().matchesType("alert.raised")).isTrue();
    assertThat(w.filter().matchesType("task.failed")).isTrue();
    assertThat(w.filter().matchesType("task.started")).isFalse();
    assertThat(w.filter().matchesType("alerting.x")).isFalse();
  }
}
