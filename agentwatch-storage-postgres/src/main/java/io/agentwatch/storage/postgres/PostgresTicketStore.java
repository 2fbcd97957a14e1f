package io.agentwatch.storage.postgres;

import io.agentwatch.core.auth.TicketStore;
import io.agentwatch.core.log.UnavailableException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link TicketStore} every node shares: table {@code stream_tickets}, so a ticket issued by
 * one node opens a stream on any. A ticket is taken by {@code DELETE … RETURNING}, which one
 * transaction alone can do for a row, so it opens one stream however many nodes race for it.
 * Expired tickets are swept by the next {@link #put} at most once a {@link #SWEEP_EVERY}.
 * Thread-safe; blocks on I/O and throws {@link UnavailableException} when the database fails.
 */
public final class PostgresTicketStore implements TicketStore {

  static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final PostgresDatabase db;
  private final Clock clock;
  private final AtomicReference<Instant> lastSweep;

  public PostgresTicketStore(PostgresDatabase db, Clock clock) {
    this.db = db;
    this.clock = clock;
    this.lastSweep = new AtomicReference<>(clock.instant());
  }

  @Override
  public void put(String digest, Held ticket) {
    Instant now = clock.instant();
    Instant last = lastSweep.get();
    boolean sweep = !now.isBefore(last.plus(SWEEP_EVERY)) && lastSweep.compareAndSet(last, now);
    try {
      db.inTransaction(c -> {
        if (sweep) {
          try (PreparedStatement ps = c.prepareStatement(
              "DELETE FROM stream_tickets WHERE expires_at <= ?::timestamptz")) {
            ps.setString(1, Sql.timestamp(now));
            ps.executeUpdate();
          }
        }
        try (PreparedStatement ps = c.prepareStatement(
            "INSERT INTO stream_tickets (digest, key_id, expires_at) VALUES (?, ?, ?::timestamptz)")) {
          ps.setString(1, digest);
          ps.setString(2, ticket.keyId());
          ps.setString(3, Sql.timestamp(ticket.expiresAt()));
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("keep a stream ticket", e);
    }
  }

  @Override
  public Optional<Held> take(String digest) {
    try {
      return db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(
            "DELETE FROM stream_tickets WHERE digest = ? RETURNING key_id, expires_at")) {
          ps.setString(1, digest);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next()
                ? Optional.of(new Held(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant()))
                : Optional.<Held>empty();
          }
        }
      });
    } catch (SQLException e) {
      throw PostgresDatabase.unavailable("redeem a stream ticket", e);
    }
  }
}
