package io.agentwatch.core.log;

import org.junit.jupiter.api.Nested;

class InMemoryPositionStoreTest {

  @Nested
  class AsPositionStore extends PositionStoreContract {
    @Override
    protected PositionStore newStore() {
      return new InMemoryPositionStore();
    }
  }
}
