package io.agentwatch.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link TicketStore} contract. Each adapter binds it by implementing {@link #newStore()};
 * every test gets a fresh, empty store. {@link #otherNode()} is a second handle on the same store
 * (another node), or the same one for a store of one node.
 */
public abstract class TicketStoreContract {

  /** Microseconds: what every store keeps exactly. */
  protected static final Instant EXPIRES = Instant.parse("2026-11-29T16:00:30.123456Z");

  protected TicketStore tickets;

  protected abstract TicketStore newStore() throws Exception;

  protected TicketStore otherNode() throws Exception {
    return tickets;
  }

  /** Releases what {@link #newStore()} opened; nothing by default. */
  protected void closeStore() throws Exception {}

  @BeforeEach
  void open() throws Exception {
    tickets = newStore();
  }

  @AfterEach
  void close() throws Exception {
    closeStore();
  }

  @Test
  void aTicketIsTakenOnceWithWhatItStandsFor() throws Exception {
    tickets.put("digest-1", new TicketStore.Held("key-1", EXPIRES));
    tickets.put("digest-2", new TicketStore.Held("key-2", EXPIRES));

    assertThat(otherNode().take("digest-1")).contains(new TicketStore.Held("key-1", EXPIRES));
    assertThat(tickets.take("digest-1")).isEmpty();
    assertThat(otherNode().take("digest-1")).isEmpty();
    assertThat(tickets.take("digest-2")).contains(new TicketStore.Held("key-2", EXPIRES));
  }

  @Test
  void anUnknownTicketIsNotFound() throws Exception {
    assertThat(tickets.take("never-put")).isEmpty();
  }

  @Test
  void ofManyTakingTheSameTicketAtOnceExactlyOneGetsIt() throws Exception {
    List<TicketStore> nodes = List.of(tickets, otherNode());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        String digest = "contested-" + round;
        tickets.put(digest, new TicketStore.Held("key-" + round, EXPIRES));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Optional<TicketStore.Held>>> takes = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          TicketStore node = nodes.get(t % nodes.size());
          takes.add(pool.submit(() -> {
            go.await();
            return node.take(digest);
          }));
        }
        go.countDown();
        int won = 0;
        for (Future<Optional<TicketStore.Held>> f : takes) {
          won += f.get().isPresent() ? 1 : 0;
        }
        assertThat(won).as("round %d", round).isEqualTo(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
