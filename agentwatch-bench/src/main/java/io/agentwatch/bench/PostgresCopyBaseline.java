package io.agentwatch.bench;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.storage.postgres.CopyText;
import io.agentwatch.storage.postgres.PostgresConfig;
import io.agentwatch.storage.postgres.PartitionMaintainer;
import io.agentwatch.storage.postgres.PostgresDatabase;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * What PostgreSQL alone does on this machine with the same rows: {@code COPY} of the events the
 * log bench appends, straight into a fresh schema made by the same migration (time partition,
 * JSONB payload, the six indexes), {@code rowsPerTransaction} rows per durable commit. No
 * idempotency claims, no partition locks, no rollups, no notifications: the ceiling
 * {@code PostgresEventLog} can approach.
 */
final class PostgresCopyBaseline {

  record Result(long rows, double seconds, double rowsPerSecond, int rowsPerTransaction) {}

  private final PostgresConfig config;

  PostgresCopyBaseline(PostgresConfig config) {
    this.config = config;
  }

  Result run(List<Event> template, Duration duration, int rowsPerTransaction) throws SQLException, java.io.IOException {
    try (PostgresDatabase db = PostgresDatabase.open(config)) {
      new PartitionMaintainer(db, Clock.systemUTC()).maintain();
    }
    Properties p = new Properties();
    p.setProperty("user", config.user());
    p.setProperty("password", config.password());
    p.setProperty("currentSchema", config.schema());
    try (Connection c = DriverManager.getConnection(config.url(), p)) {
      c.setAutoCommit(false);
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      String sql = "COPY events (seq, partition, off, tenant, id, type, agent_id, run_id, ts, ts_nano, received_at,"
          + " envelope, data) FROM STDIN";
      long rows = 0;
      long began = System.nanoTime();
      long end = began + duration.toNanos();
      StringBuilder sb = new StringBuilder(rowsPerTransaction * 1400);
      while (System.nanoTime() < end) {
        sb.setLength(0);
        String receivedAt = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        for (int i = 0; i < rowsPerTransaction; i++) {
          Event t = template.get(i % template.size());
          long n = rows + i;
          String envelope = EventCodec.encodeEnvelope(new Event("copy." + n, t.type(), t.agentId(), t.runId(), t.ts(),
              null, null, t.data()));
          sb.append(n).append('\t').append(n % 4).append('\t').append(n).append("\tbench\tcopy.").append(n)
              .append('\t').append(t.type()).append('\t').append(t.agentId()).append('\t').append(t.runId())
              .append('\t').append(t.ts().truncatedTo(ChronoUnit.MICROS)).append('\t').append(t.ts().getNano())
              .append('\t').append(receivedAt).append('\t');
          CopyText.escape(sb, envelope);
          sb.append('\t');
          CopyText.escape(sb, envelope.substring(envelope.indexOf(",\"data\":") + 8, envelope.length() - 1));
          sb.append('\n');
        }
        copy.copyIn(sql, new StringReader(sb.toString()));
        c.commit();
        rows += rowsPerTransaction;
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      return new Result(rows, seconds, rows / seconds, rowsPerTransaction);
    }
  }
}
