package io.agentwatch.storage.postgres;

import io.agentwatch.model.Event;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Writes rows of the {@code events} table, inside the caller's transaction, in the way that suits
 * the group at hand: a group of fewer than {@link #COPY_FROM} rows is one multi-row
 * {@code INSERT … SELECT FROM unnest(…)} (one round trip), a larger one a {@code COPY … FROM STDIN}
 * (two round trips, PostgreSQL's bulk-load path, and no thirteen parameter arrays to build beside
 * the rows). The groups come from {@link GroupWriter}'s group commit and the persister's polls,
 * which are small when traffic is light and large under load, so the batch and the way it is
 * written adapt together. Both ways store the same rows (see {@code EventRowsTest}); where one
 * beats the other is measured in the module's README.
 *
 * <p>The rows are already claimed in {@code event_ids}, so neither way needs a conflict clause.
 */
final class EventRows {

  /** The group size from which {@code COPY} is used. */
  static final int COPY_FROM = 256;

  private static final String COLUMNS =
      "(seq, partition, off, tenant, id, type, agent_id, run_id, ts, ts_nano, received_at, envelope, data)";
  static final String INSERT = "INSERT INTO events " + COLUMNS
      + " SELECT u.seq, u.p, u.off, u.tenant, u.id, u.type, u.agent, u.run, u.ts::timestamptz, u.nano,"
      + " u.at::timestamptz, u.env, u.data::jsonb"
      + " FROM unnest(?::bigint[], ?::int[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
      + " ?::text[], ?::int[], ?::text[], ?::text[], ?::text[])"
      + " AS u(seq, p, off, tenant, id, type, agent, run, ts, nano, at, env, data)";
  static final String COPY = "COPY events " + COLUMNS + " FROM STDIN";

  /** One row: the event with its place in the log, as it was encoded for the log. */
  record Row(long seq, int partition, long offset, String tenant, Event event, String envelope, Instant receivedAt) {}

  private EventRows() {}

  static void insert(Connection c, List<Row> rows) throws SQLException {
    if (rows.size() >= COPY_FROM) {
      copy(c, rows);
    } else if (!rows.isEmpty()) {
      insertByArrays(c, rows);
    }
  }

  private static void insertByArrays(Connection c, List<Row> rows) throws SQLException {
    int n = rows.size();
    Long[] seq = new Long[n];
    Integer[] partition = new Integer[n];
    Long[] off = new Long[n];
    Integer[] nano = new Integer[n];
    String[][] text = new String[9][n];
    for (int j = 0; j < n; j++) {
      Row r = rows.get(j);
      Event e = r.event();
      seq[j] = r.seq();
      partition[j] = r.partition();
      off[j] = r.offset();
      nano[j] = e.ts().getNano();
      text[0][j] = r.tenant();
      text[1][j] = e.id();
      text[2][j] = e.type();
      text[3][j] = Sql.text(e.agentId());
      text[4][j] = Sql.text(e.runId());
      text[5][j] = Sql.timestamp(e.ts());
      text[6][j] = Sql.timestamp(r.receivedAt());
      text[7][j] = r.envelope();
      text[8][j] = AppendTransaction.dataOf(r.envelope());
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      Array[] arrays = {
          c.createArrayOf("int8", seq), c.createArrayOf("int4", partition), c.createArrayOf("int8", off),
          c.createArrayOf("text", text[0]), c.createArrayOf("text", text[1]), c.createArrayOf("text", text[2]),
          c.createArrayOf("text", text[3]), c.createArrayOf("text", text[4]), c.createArrayOf("text", text[5]),
          c.createArrayOf("int4", nano), c.createArrayOf("text", text[6]), c.createArrayOf("text", text[7]),
          c.createArrayOf("text", text[8])};
      for (int i = 0; i < arrays.length; i++) {
        ps.setArray(i + 1, arrays[i]);
      }
      ps.executeUpdate();
    }
  }

  private static void copy(Connection c, List<Row> rows) throws SQLException {
    byte[] data = copyText(rows).getBytes(StandardCharsets.UTF_8);
    CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY);
    try {
      in.writeToCopy(data, 0, data.length);
      long stored = in.endCopy();
      if (stored != rows.size()) {
        throw new SQLException("COPY stored " + stored + " of " + rows.size() + " events");
      }
    } finally {
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /** The rows in {@code COPY}'s text format: tab-separated columns, {@code \N} for null, one line per row. */
  static String copyText(List<Row> rows) {
    StringBuilder sb = new StringBuilder(rows.size() * (rows.getFirst().envelope().length() * 2 + 200));
    for (Row r : rows) {
      Event e = r.event();
      sb.append(r.seq()).append('\t').append(r.partition()).append('\t').append(r.offset()).append('\t');
      field(sb, r.tenant());
      field(sb, e.id());
      field(sb, e.type());
      field(sb, Sql.text(e.agentId()));
      field(sb, Sql.text(e.runId()));
      field(sb, Sql.timestamp(e.ts()));
      sb.append(e.ts().getNano()).append('\t');
      field(sb, Sql.timestamp(r.receivedAt()));
      field(sb, r.envelope());
      CopyText.escape(sb, AppendTransaction.dataOf(r.envelope()));
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void field(StringBuilder sb, String value) {
    CopyText.escape(sb, value);
    sb.append('\t');
  }
}
