package io.agentwatch.storage.postgres;

import static io.agentwatch.core.TestEvents.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.auth.KeyStoreContract;
import io.agentwatch.core.auth.TicketStore;
import io.agentwatch.core.auth.TicketStoreContract;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.log.PositionStoreContract;
import io.agentwatch.core.rollup.Bucket;
import io.agentwatch.core.rollup.RollupPoint;
import io.agentwatch.core.rollup.RollupQuery;
import io.agentwatch.core.rollup.RollupStore;
import io.agentwatch.core.rollup.RollupStoreContract;
import io.agentwatch.core.state.ProjectionStore;
import io.agentwatch.core.state.ProjectionStoreContract;
import io.agentwatch.core.testing.MutableClock;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.core.webhook.WebhookStoreContract;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/** The key, ticket, position, webhook, projection and rollup stores on PostgreSQL, each bound to its port's contract suite. */
class PostgresStoresTest {

  @Nested
  class AsKeyStore extends KeyStoreContract {
    private PostgresDatabase db;

    @Override
    protected KeyStore newStore() {
      db = PostgresFixture.newDatabase();
      return new PostgresKeyStore(db);
    }

    @Override
    protected void closeStore() {
      db.close();
    }
  }

  @Nested
  class AsTicketStore extends TicketStoreContract {
    private PostgresConfig config;
    private final List<PostgresDatabase> opened = new ArrayList<>();

    /** A node of its own: the other node's tickets reach it only through the database. */
    private TicketStore node() {
      PostgresDatabase db = PostgresDatabase.open(config);
      opened.add(db);
      return new PostgresTicketStore(db, Clock.systemUTC());
    }

    @Override
    protected TicketStore newStore() {
      config = PostgresFixture.newConfig();
      return node();
    }

    @Override
    protected TicketStore otherNode() {
      return node();
    }

    @Override
    protected void closeStore() {
      opened.forEach(PostgresDatabase::close);
    }

    @Test
    void expiredTicketsAreSweptByALaterPut() throws Exception {
      MutableClock clock = new MutableClock(EXPIRES.minusSeconds(30));
      PostgresDatabase db = PostgresDatabase.open(config);
      opened.add(db);
      PostgresTicketStore store = new PostgresTicketStore(db, clock);
      store.put("old", new TicketStore.Held("key-1", EXPIRES));
      clock.advance(PostgresTicketStore.SWEEP_EVERY);

      store.put("new", new TicketStore.Held("key-1", EXPIRES.plus(PostgresTicketStore.SWEEP_EVERY)));

      List<String> left = db.read(c -> {
        try (var rs = c.createStatement().executeQuery("SELECT digest FROM stream_tickets")) {
          List<String> digests = new ArrayList<>();
          while (rs.next()) {
            digests.add(rs.getString(1));
          }
          return digests;
        }
      });
      assertThat(left).containsExactly("new");
    }
  }

  @Nested
  class AsPositionStore extends PositionStoreContract {
    private final List<PostgresDatabase> opened = new ArrayList<>();

    @Override
    protected PositionStore newStore() {
      PostgresDatabase db = PostgresFixture.newDatabase();
      opened.add(db);
      return new PostgresPositionStore(db);
    }

    @AfterEach
    void closeDatabases() {
      opened.forEach(PostgresDatabase::close);
    }
  }

  @Nested
  class AsWebhookStore extends WebhookStoreContract {
    private PostgresDatabase db;

    @Override
    protected WebhookStore newStore() {
      db = PostgresFixture.newDatabase();
      return new PostgresWebhookStore(db);
    }

    @Override
    protected void closeStore() {
      db.close();
    }
  }

  @Nested
  class AsProjectionStore extends ProjectionStoreContract {
    private PostgresDatabase db;

    @Override
    protected ProjectionStore newStore() {
      db = PostgresFixture.newDatabase();
      return new PostgresProjectionStore(db);
    }

    @Override
    protected void closeStore() {
      db.close();
    }
  }

  @Nested
  class AsRollupStore extends RollupStoreContract {
    private PostgresDatabase db;

    @Override
    protected RollupStore newStore() {
      db = PostgresFixture.newDatabase();
      return new PostgresRollups(db);
    }

    @Override
    protected void closeStore() {
      db.close();
    }
  }

  @Test
  void theLogKeepsTheRollupsCurrentAndNeverCountsADuplicate() {
    try (PostgresDatabase db = PostgresFixture.newDatabase(); PostgresEventLog log = PostgresEventLog.open(db)) {
      ObjectNode data = EventCodec.JSON.createObjectNode().put("model", "m").put("inputTokens", 10)
          .put("outputTokens", 3).put("costUsd", 0.5);
      Event call = new Event("c1", "llm.call", "w1", "r1", T0, null, null, data);
      List<AppendResult> first = log.append("t1", List.of(call, call.withRunId("r1"))).join();
      List<AppendResult> again = log.append("t1", List.of(call)).join();

      assertThat(first).extracting(AppendResult::isDuplicate).containsExactly(false, true);
      assertThat(again.getFirst().isDuplicate()).isTrue();
      PostgresRollups rollups = new PostgresRollups(db);
      RollupPoint p = rollups.query("t1", new RollupQuery("r1", "w1", Bucket.HOUR, T0, T0.plusSeconds(3600))).getFirst();
      assertThat(p.events()).isEqualTo(1);
      assertThat(p.llmCalls()).isEqualTo(1);
      assertThat(p.inputTokens()).isEqualTo(10);
      assertThat(p.costUsd()).isEqualTo(0.5);
      assertThat(rollups.head()).as("the rollups are as current as the log").isEqualTo(log.head());
    }
  }
}
