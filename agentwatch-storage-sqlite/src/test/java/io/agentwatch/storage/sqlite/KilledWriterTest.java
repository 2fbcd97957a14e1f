package io.agentwatch.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.TestEvents;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventFilter;
import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "No acked event is lost", checked the hard way: a separate JVM appends from several threads and
 * prints every acknowledgement, and is killed with SIGKILL in full flight.
 */
class KilledWriterTest {

  private static final int THREADS = 4;
  private static final int BATCH = 50;
  private static final int ACKS_BEFORE_KILL = 100;

  @TempDir
  Path dir;

  @Test
  void everyEventAckedBeforeASigkillIsStoredExactlyOnce() throws Exception {
    Path stderr = dir.resolve("appender.err");
    Process appender = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        Appender.class.getName(), dir.resolve("data").toString())
        .redirectError(stderr.toFile())
        .start();
    Set<String> acked = new HashSet<>();
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(appender.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (acked.size() < ACKS_BEFORE_KILL && (line = out.readLine()) != null) {
        acked.add(line);
      }
      appender.destroyForcibly();
      assertThat(appender.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acked).as("acks before the kill; appender stderr: %s", Files.readString(stderr))
        .hasSize(ACKS_BEFORE_KILL);

    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("data")); SqliteEventLog log = SqliteEventLog.open(db)) {
      List<StoredEvent> stored = log.read("t1", log.beginning(), EventFilter.ALL, 1_000_000);
      Set<String> ids = new HashSet<>();
      for (StoredEvent e : stored) {
        assertThat(ids.add(e.event().id())).as("stored once: %s", e.event().id()).isTrue();
      }
      for (String batch : acked) {
        for (int i = 0; i < BATCH; i++) {
          assertThat(ids).as("an event of batch %s, acked before the kill", batch).contains(batch + "-" + i);
        }
      }
      assertThat(stored).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL * BATCH);
    }
  }

  /** Appends batches from several threads until killed; prints "thread-batch" once acknowledged. */
  static final class Appender {

    public static void main(String[] args) {
      SqliteDatabase db = SqliteDatabase.open(Path.of(args[0]));
      SqliteEventLog log = SqliteEventLog.open(db);
      for (int t = 0; t < THREADS; t++) {
        String agent = "agent-" + t;
        Thread.ofPlatform().start(() -> {
          for (int b = 0; ; b++) {
            String batch = agent + "-" + b;
            List<Event> events = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
              events.add(TestEvents.log(batch + "-" + i, agent));
            }
            List<AppendResult> results = log.append("t1", events).join();
            if (results.stream().noneMatch(AppendResult::isDuplicate)) {
              synchronized (System.out) {
                System.out.println(batch);
                System.out.flush();
              }
            }
          }
        });
      }
    }
  }
}
