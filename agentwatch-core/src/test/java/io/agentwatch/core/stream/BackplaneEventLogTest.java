package io.agentwatch.core.stream;

import static io.agentwatch.core.TestEvents.log;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.EventLogContract;
import io.agentwatch.core.log.InMemoryEventLog;
import io.agentwatch.core.testing.LocalTailOnly;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BackplaneEventLogTest {

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  @Nested
  class AsEventLog extends EventLogContract {
    @Override
    protected EventLog newLog() {
      InMemoryBackplane backplane = new InMemoryBackplane();
      opened.add(backplane);
      return new BackplaneEventLog(new InMemoryEventLog(), backplane, Duration.ofSeconds(1));
    }
  }

  @Test
  void eachNodeHearsEveryNodesAppendsOnceInLogOrder() throws Exception {
    InMemoryEventLog shared = new InMemoryEventLog();
    InMemoryBackplane channel = new InMemoryBackplane();
    BackplaneEventLog nodeA = node(shared, channel, Duration.ofMinutes(1));
    BackplaneEventLog nodeB = node(shared, channel.join(), Duration.ofMinutes(1));
    List<String> heardByA = new CopyOnWriteArrayList<>();
    List<String> heardByB = new CopyOnWriteArrayList<>();
    nodeA.tail(ids(heardByA));
    nodeB.tail(ids(heardByB));

    List<CompletableFuture<List<AppendResult>>> pending = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      BackplaneEventLog via = i % 2 == 0 ? nodeA : nodeB;
      pending.add(via.append("t1", List.of(log("e" + i, "w1"))));
    }
    pending.forEach(CompletableFuture::join);

    List<String> logOrder = shared.readAll(shared.beginning(), 1_000).stream().map(e -> e.event().id()).toList();
    awaitSize(heardByA, 100);
    awaitSize(heardByB, 100);
    assertThat(heardByA).containsExactlyElementsOf(logOrder);
    assertThat(heardByB).containsExactlyElementsOf(logOrder);
  }

  @Test
  void lostNoticesOnlyDelayDeliveryUntilTheNextPoll() throws Exception {
    InMemoryEventLog shared = new InMemoryEventLog();
    Backplane silent = new Backplane() {
      @Override
      public void publish(Cursor cursor) {}

      @Override
      public AutoCloseable subscribe(Consumer<Cursor> listener) {
        return () -> {};
      }

      @Override
      public void check() {}

      @Override
      public void close() {}
    };
    BackplaneEventLog nodeA = node(shared, silent, Duration.ofMinutes(1));
    BackplaneEventLog nodeB = node(shared, silent, Duration.ofMillis(50));
    List<String> heardByB = new CopyOnWriteArrayList<>();
    nodeB.tail(ids(heardByB));

    nodeA.append("t1", List.of(log("a", "w1"), log("b", "w1"))).join();

    awaitSize(heardByB, 2);
    assertThat(heardByB).containsExactly("a", "b");
  }

  @Test
  void noticesOfAnotherStoreAreIgnoredAndDeliverNothingTwice() throws Exception {
    InMemoryEventLog shared = new InMemoryEventLog();
    InMemoryBackplane channel = new InMemoryBackplane();
    BackplaneEventLog nodeA = node(shared, channel, Duration.ofMinutes(1));
    List<String> heard = new CopyOnWriteArrayList<>();
    nodeA.tail(ids(heard));
    nodeA.append("t1", List.of(log("a", "w1"))).join();
    awaitSize(heard, 1);

    channel.publish(Cursor.at("otherstore", 99));
    channel.publish(shared.head());
    nodeA.append("t1", List.of(log("b", "w1"))).join();

    awaitSize(heard, 2);
    Thread.sleep(50);
    assertThat(heard).containsExactly("a", "b");
  }

  private BackplaneEventLog node(InMemoryEventLog shared, Backplane backplane, Duration pollEvery) {
    BackplaneEventLog node = new BackplaneEventLog(new LocalTailOnly(shared), backplane, pollEvery);
    opened.add(node);
    return node;
  }

  private static Consumer<List<StoredEvent>> ids(List<String> into) {
    return batch -> batch.forEach(e -> into.add(e.event().id()));
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSize(size);
  }
}
