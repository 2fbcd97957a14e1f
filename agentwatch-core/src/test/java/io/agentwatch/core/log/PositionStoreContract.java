package io.agentwatch.core.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Cursor;
import org.junit.jupiter.api.Test;

/** The contract of {@link PositionStore}; each adapter binds {@link #newStore} in a few lines. */
public abstract class PositionStoreContract {

  protected abstract PositionStore newStore();

  @Test
  void anUnknownReaderHasNoPosition() {
    assertThat(newStore().load("analytics")).isEmpty();
  }

  @Test
  void theLastSavedPositionIsLoadedBack() {
    PositionStore store = newStore();
    store.save("analytics", Cursor.at("store1", 4));
    store.save("analytics", Cursor.at("store1", 9));
    assertThat(store.load("analytics")).contains(Cursor.at("store1", 9));
  }

  @Test
  void readersDoNotSeeEachOthersPositions() {
    PositionStore store = newStore();
    store.save("analytics", Cursor.at("store1", 4));
    store.save("webhooks", Cursor.at("store1", 7));
    assertThat(store.load("analytics")).contains(Cursor.at("store1", 4));
    assertThat(store.load("webhooks")).contains(Cursor.at("store1", 7));
  }

  @Test
  void aClearedReaderStartsOver() {
    PositionStore store = newStore();
    store.save("analytics", Cursor.at("store1", 4));
    store.save("webhooks", Cursor.at("store1", 7));
    store.clear("analytics");
    assertThat(store.load("analytics")).isEmpty();
    assertThat(store.load("webhooks")).isPresent();
  }

  @Test
  void aHealthyStorePassesItsCheck() {
    newStore().check();
  }
}
