package io.agentwatch.core.auth;

import org.junit.jupiter.api.Nested;

class InMemoryKeyStoreTest {

  @Nested
  class AsKeyStore extends KeyStoreContract {
    @Override
    protected KeyStore newStore() {
      return new InMemoryKeyStore();
    }
  }
}
