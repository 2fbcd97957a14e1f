package io.agentwatch.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.DeliveryState;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.core.webhook.WebhookStoreContract;
import io.agentwatch.model.Cursor;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteWebhookStoreTest {

  private static final Instant T = Instant.parse("2026-11-28T16:00:00.123456789Z");
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  @TempDir
  Path dir;

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    for (AutoCloseable c : opened.reversed()) {
      c.close();
    }
  }

  private SqliteDatabase open(Path folder) {
    SqliteDatabase db = SqliteDatabase.open(folder);
    opened.add(db);
    return db;
  }

  @Nested
  class AsWebhookStore extends WebhookStoreContract {
    @Override
    protected WebhookStore newStore() {
      return new SqliteWebhookStore(open(dir.resolve("data-" + opened.size())));
    }
  }

  private static Webhook webhook(String id) {
    return new Webhook(id, "t1", URI.create("https://hooks.example.com/in?x=%20y"), SECRET,
        List.of("alert.*", "task.failed"), true, T, Cursor.at("abc", 12));
  }

  private static Delivery delivery(Webhook w, String eventId) {
    return new Delivery(Delivery.idFor(w.id(), eventId), 0, w.tenant(), w.id(), eventId, "alert.raised", "{}",
        DeliveryState.PENDING, 0, T, null, null, null, T, 0);
  }

  @Test
  void webhooksDeliveriesAndThePositionSurviveClosingAndReopeningTheDatabase() {
    Webhook w = webhook("wh_AAAAbbbbCCCCdddd");
    Delivery d = delivery(w, "e1");
    Delivery failed;
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteWebhookStore store = new SqliteWebhookStore(db);
      store.add(w);
      store.enqueue(db.cursorAt(7), List.of(d, delivery(w, "e2")));
      failed = store.delivery("t1", d.id()).orElseThrow().failed(503, "answered 503", T.plusSeconds(1),
          T.plusSeconds(6));
      assertThat(store.update(failed)).isTrue();
    }

    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      SqliteWebhookStore store = new SqliteWebhookStore(db);
      assertThat(store.list("t1")).containsExactly(w);
      assertThat(store.position()).contains(db.cursorAt(7));
      assertThat(store.delivery("t1", d.id()).orElseThrow()).usingRecursiveComparison()
          .ignoringFields("seq", "version").isEqualTo(failed);
      assertThat(store.pending()).isEqualTo(2);
    }
  }

  @Test
  void anEnqueueThatFailsHalfwayStoresNeitherDeliveriesNorThePosition() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteWebhookStore store = new SqliteWebhookStore(db);
    Webhook w = webhook("wh_AAAAbbbbCCCCdddd");
    store.add(w);
    store.enqueue(db.cursorAt(1), List.of(delivery(w, "e1")));
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file());
         Statement s = c.createStatement()) {
      s.executeUpdate("CREATE TRIGGER poison BEFORE INSERT ON webhook_deliveries WHEN NEW.event_id = 'poison'"
          + " BEGIN SELECT RAISE(ABORT, 'poisoned delivery'); END");
    }

    assertThatThrownBy(() -> store.enqueue(db.cursorAt(5), List.of(delivery(w, "e2"), delivery(w, "poison"))))
        .isInstanceOf(UnavailableException.class).hasMessageContaining("poisoned delivery");

    assertThat(store.position()).contains(db.cursorAt(1));
    assertThat(store.deliveries("t1", w.id(), null, null, 10)).extracting(Delivery::eventId).containsExactly("e1");
  }

  @Test
  void queueWritesWaitForTheLogsTransactionInsteadOfFailing() throws Exception {
    SqliteDatabase db = open(dir);
    SqliteWebhookStore store = new SqliteWebhookStore(db);
    Webhook w = webhook("wh_AAAAbbbbCCCCdddd");
    store.add(w);
    CountDownLatch held = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Object> logWrite = CompletableFuture.supplyAsync(() -> {
      try {
        return db.write(c -> {
          held.countDown();
          awaitQuietly(release);
          return null;
        });
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    });
    held.await();

    CompletableFuture<Void> enqueue = CompletableFuture.runAsync(
        () -> store.enqueue(db.cursorAt(3), List.of(delivery(w, "e1"))));
    Thread.sleep(300);
    assertThat(enqueue).isNotDone();
    release.countDown();

    enqueue.get(30, TimeUnit.SECONDS);
    logWrite.get(30, TimeUnit.SECONDS);
    assertThat(store.pending()).isEqualTo(1);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aDatabaseOfTheProjectionsSchemaVersionGainsTheWebhookTables() throws Exception {
    SqliteDatabase.open(dir).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteDatabase.FILE_NAME));
         Statement s = c.createStatement()) {
      s.executeUpdate("DROP TABLE webhook_deliveries");
      s.executeUpdate("DROP TABLE webhooks");
      s.executeUpdate("UPDATE meta SET value = '2' WHERE name = 'schema_version'");
    }

    SqliteDatabase db = open(dir);
    SqliteWebhookStore store = new SqliteWebhookStore(db);
    store.add(webhook("wh_AAAAbbbbCCCCdddd"));
    assertThat(store.list("t1")).hasSize(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.file());
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT value FROM meta WHERE name = 'schema_version'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo(Integer.toString(Schema.VERSION));
    }
  }
}
