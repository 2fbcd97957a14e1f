package io.agentwatch.core.webhook;

import org.junit.jupiter.api.Nested;

class InMemoryWebhookStoreTest {

  @Nested
  class AsWebhookStore extends WebhookStoreContract {
    @Override
    protected WebhookStore newStore() {
      return new InMemoryWebhookStore();
    }
  }
}
