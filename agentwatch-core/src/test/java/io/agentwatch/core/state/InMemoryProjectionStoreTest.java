package io.agentwatch.core.state;

import org.junit.jupiter.api.Nested;

class InMemoryProjectionStoreTest {

  @Nested
  class AsProjectionStore extends ProjectionStoreContract {
    @Override
    protected ProjectionStore newStore() {
      return new InMemoryProjectionStore();
    }
  }
}
