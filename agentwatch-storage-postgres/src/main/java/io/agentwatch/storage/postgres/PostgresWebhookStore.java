package io.agentwatch.storage.postgres;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.core.webhook.Delivery;
import io.agentwatch.core.webhook.DeliveryState;
import io.agentwatch.core.webhook.Webhook;
import io.agentwatch.core.webhook.WebhookStore;
import io.agentwatch.model.Cursor;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@link WebhookStore} on PostgreSQL: the {@code webhooks} and {@code webhook_deliveries}
 * tables of a {@link PostgresDatabase}, and the matcher's position as {@code meta.webhook_cursor}.
 * Every node of a cluster sees the same subscriptions and queue. Several matchers may enqueue the
 * same deliveries (a delivery's id is made of its webhook's and its event's, so the second is
 * dropped) and save positions of their own (a position that goes back only repeats matching,
 * which the same rule makes harmless). Delivery instants are epoch milliseconds. Thread-safe;
 * blocks on I/O and throws {@link UnavailableException} when the database fails.
 */
public final class PostgresWebhookStore implements WebhookStore {

  private static final String CURSOR = "webhook_cursor";
  private static final String WEBHOOK_COLUMNS = "SELECT id, tenant, url, secret, types, enabled, created, after_cursor"
      + " FROM webhooks";
  private static final String DELIVERY_COLUMNS = "SELECT id, seq, tenant, webhook_id, event_id, event_type, body,"
      + " state, attempts, next_attempt, last_status, last_error, last_attempt, created, version"
      + " FROM webhook_deliveries";
  private static final String INSERT_DELIVERY = "INSERT INTO webhook_deliveries"
      + " (id, tenant, webhook_id, event_id, event_type, body, state, attempts, next_attempt, last_status, last_error,"
      + " last_attempt, created, version)"
      // Typed: a parameter of a SELECT list gets no type from the column it is inserted into.
      + " SELECT ?, ?, ?, ?, ?, ?, ?, ?::int, ?::bigint, ?::int, ?::text, ?::bigint, ?::bigint, 0"
      + " WHERE EXISTS (SELECT 1 FROM webhooks WHERE id = ?)"
      + " ON CONFLICT (id) DO NOTHING";
  private static final String UPDATE_DELIVERY = "UPDATE webhook_deliveries SET state = ?, attempts = ?,"
      + " next_attempt = ?, last_status = ?, last_error = ?, last_attempt = ?, version = version + 1"
      + " WHERE id = ? AND version = ?";
  private static final String SET_CURSOR = "INSERT INTO meta (name, value) VALUES ('" + CURSOR + "', ?)"
      + " ON CONFLICT (name) DO UPDATE SET value = excluded.value";

  private final PostgresDatabase db;

  public PostgresWebhookStore(PostgresDatabase db) {
    this.db = db;
  }

  @Override
  public void add(Webhook w) {
    int inserted = update("add webhook " + w.id(), "INSERT INTO webhooks"
        + " (id, tenant, url, secret, types, enabled, created, after_cursor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT (id) DO NOTHING",
        w.id(), w.tenant(), w.url().toString(), w.secret(), String.join(",", w.types()), w.enabled(),
        w.created().toString(), w.after().toString());
    if (inserted == 0) {
      throw new IllegalStateException("webhook id " + w.id() + " exists");
    }
  }

  @Override
  public Optional<Webhook> find(String tenant, String id) {
    return webhooks(WEBHOOK_COLUMNS + " WHERE tenant = ? AND id = ?", tenant, id).stream().findFirst();
  }

  @Override
  public List<Webhook> list(String tenant) {
    return webhooks(WEBHOOK_COLUMNS + " WHERE tenant = ? ORDER BY created, id", tenant);
  }

  @Override
  public int count(String tenant) {
    return (int) count("count webhooks", "SELECT count(*) FROM webhooks WHERE tenant = ?", tenant);
  }

  @Override
  public List<Webhook> enabled() {
    return webhooks(WEBHOOK_COLUMNS + " WHERE enabled");
  }

  @Override
  public Optional<Webhook> setEnabled(String tenant, String id, boolean enabled) {
    int changed = update("switch webhook " + id, "UPDATE webhooks SET enabled = ? WHERE tenant = ? AND id = ?",
        enabled, tenant, id);
    return changed == 0 ? Optional.empty() : find(tenant, id);
  }

  @Override
  public boolean remove(String tenant, String id) {
    try {
      return db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhooks WHERE tenant = ? AND id = ?")) {
          bind(ps, tenant, id);
          if (ps.executeUpdate() == 0) {
            return false;
          }
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhook_deliveries WHERE webhook_id = ?")) {
          bind(ps, id);
          ps.executeUpdate();
        }
        return true;
      });
    } catch (SQLException e) {
      throw unavailable("remove webhook " + id, e);
    }
  }

  @Override
  public Optional<Cursor> position() {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM meta WHERE name = '" + CURSOR + "'");
             ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(Cursor.parse(rs.getString(1))) : Optional.<Cursor>empty();
        }
      });
    } catch (SQLException e) {
      throw unavailable("read the webhook matcher's position", e);
    }
  }

  @Override
  public void enqueue(Cursor position, List<Delivery> deliveries) {
    try {
      db.inTransaction(c -> {
        if (!deliveries.isEmpty()) {
          try (PreparedStatement ps = c.prepareStatement(INSERT_DELIVERY)) {
            for (Delivery d : deliveries) {
              bind(ps, d.id(), d.tenant(), d.webhookId(), d.eventId(), d.eventType(), d.body(), d.state().label(),
                  d.attempts(), millis(d.nextAttempt()), d.lastStatus(), Sql.text(d.lastError()),
                  millis(d.lastAttempt()), millis(d.created()), d.webhookId());
              ps.addBatch();
            }
            ps.executeBatch();
          }
        }
        try (PreparedStatement ps = c.prepareStatement(SET_CURSOR)) {
          bind(ps, position.toString());
          ps.executeUpdate();
        }
        return null;
      });
    } catch (SQLException e) {
      throw unavailable("enqueue " + deliveries.size() + " webhook deliveries", e);
    }
  }

  @Override
  public List<Delivery> due(String webhookId, Instant now, int limit) {
    return deliveries("find due deliveries", DELIVERY_COLUMNS
        + " WHERE webhook_id = ? AND state = 'pending' AND next_attempt <= ? ORDER BY next_attempt, seq LIMIT ?",
        webhookId, now.toEpochMilli(), limit);
  }

  @Override
  public boolean update(Delivery d) {
    return update("update delivery " + d.id(), UPDATE_DELIVERY, d.state().label(), d.attempts(),
        millis(d.nextAttempt()), d.lastStatus(), Sql.text(d.lastError()), millis(d.lastAttempt()), d.id(),
        d.version()) == 1;
  }

  @Override
  public Optional<Delivery> delivery(String tenant, String id) {
    return deliveries("read delivery " + id, DELIVERY_COLUMNS + " WHERE tenant = ? AND id = ?", tenant, id).stream()
        .findFirst();
  }

  @Override
  public List<Delivery> deliveries(String tenant, String webhookId, DeliveryState state, Long beforeSeq, int limit) {
    return deliveries("list deliveries of webhook " + webhookId, DELIVERY_COLUMNS
        + " WHERE tenant = ? AND webhook_id = ? AND (?::text IS NULL OR state = ?) AND seq < ?"
        + " ORDER BY seq DESC LIMIT ?",
        tenant, webhookId, state == null ? null : state.label(), state == null ? null : state.label(),
        beforeSeq == null ? Long.MAX_VALUE : beforeSeq, limit);
  }

  @Override
  public Optional<Delivery> redeliver(String tenant, String id, Instant now) {
    int changed = update("redeliver " + id, "UPDATE webhook_deliveries SET state = 'pending', attempts = 0,"
        + " next_attempt = ?, version = version + 1 WHERE tenant = ? AND id = ?", now.toEpochMilli(), tenant, id);
    return changed == 0 ? Optional.empty() : delivery(tenant, id);
  }

  @Override
  public long pending() {
    return count("count pending deliveries", "SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'");
  }

  @Override
  public void check() {
    db.check();
  }

  private List<Webhook> webhooks(String sql, Object... params) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          List<Webhook> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new Webhook(rs.getString(1), rs.getString(2), URI.create(rs.getString(3)), rs.getString(4),
                  Arrays.asList(rs.getString(5).split(",")), rs.getBoolean(6), Instant.parse(rs.getString(7)),
                  Cursor.parse(rs.getString(8))));
            }
          }
          return out;
        }
      });
    } catch (SQLException e) {
      throw unavailable("read webhooks", e);
    }
  }

  private List<Delivery> deliveries(String what, String sql, Object... params) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          List<Delivery> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(new Delivery(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                  rs.getString(6), rs.getString(7), DeliveryState.of(rs.getString(8)), rs.getInt(9),
                  instant(rs, 10), integer(rs, 11), rs.getString(12), instant(rs, 13), instant(rs, 14),
                  rs.getLong(15)));
            }
          }
          return out;
        }
      });
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  private long count(String what, String sql, Object... params) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
          }
        }
      });
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  private int update(String what, String sql, Object... params) {
    try {
      return db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw unavailable(what, e);
    }
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      if (params[i] == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        ps.setObject(i + 1, params[i]);
      }
    }
  }

  private static Long millis(Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(value);
  }

  private static Integer integer(ResultSet rs, int column) throws SQLException {
    int value = rs.getInt(column);
    return rs.wasNull() ? null : value;
  }

  private static UnavailableException unavailable(String what, SQLException e) {
    return new UnavailableException("cannot " + what + ": " + e.getMessage(), e);
  }
}
