package io.agentwatch.core.rollup;

import org.junit.jupiter.api.Nested;

class InMemoryRollupStoreTest {

  @Nested
  class AsRollupStore extends RollupStoreContract {
    @Override
    protected RollupStore newStore() {
      return new InMemoryRollupStore();
    }
  }
}
