package io.agentwatch.storage.postgres;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.UnavailableException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@link KeyStore} on PostgreSQL: the {@code api_keys} table of a {@link PostgresDatabase}.
 * Scopes are stored as comma-separated labels, instants as ISO-8601 text (exact to the
 * nanosecond). Every write is committed before the method returns; a revoked key keeps its first
 * revocation time. Thread-safe; blocks on I/O and throws
 * {@link UnavailableException} when the database fails.
 */
public final class PostgresKeyStore implements KeyStore {

  private static final String COLUMNS = "SELECT id, tenant, name, scopes, hash, created, last_used, revoked FROM api_keys";
  private static final Comparator<ApiKey> OLDEST_FIRST = Comparator.comparing(ApiKey::created).thenComparing(ApiKey::id);

  private final PostgresDatabase db;

  public PostgresKeyStore(PostgresDatabase db) {
    this.db = db;
  }

  /** @throws IllegalStateException when a key with the same id exists */
  @Override
  public void add(ApiKey key) {
    int inserted = update("INSERT INTO api_keys (id, tenant, name, scopes, hash, created, last_used, revoked)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        key.id(), key.tenant(), key.name(), labels(key.scopes()), key.hash(), text(key.created()),
        text(key.lastUsed()), text(key.revoked()));
    if (inserted == 0) {
      throw new IllegalStateException("key id " + key.id() + " exists");
    }
  }

  @Override
  public Optional<ApiKey> find(String id) {
    return select(COLUMNS + " WHERE id = ?", id).stream().findFirst();
  }

  @Override
  public List<ApiKey> list(String tenant) {
    List<ApiKey> keys = tenant == null ? select(COLUMNS) : select(COLUMNS + " WHERE tenant = ?", tenant);
    keys.sort(OLDEST_FIRST);
    return keys;
  }

  @Override
  public boolean revoke(String id, Instant at) {
    return update("UPDATE api_keys SET revoked = COALESCE(revoked, ?) WHERE id = ?", text(at), id) == 1;
  }

  @Override
  public void touch(String id, Instant at) {
    update("UPDATE api_keys SET last_used = ? WHERE id = ?", text(at), id);
  }

  @Override
  public boolean isEmpty() {
    try {
      return db.read(c -> {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM api_keys)")) {
          return rs.next() && !rs.getBoolean(1);
        }
      });
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private int update(String sql, Object... params) {
    try {
      return db.inTransaction(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          return ps.executeUpdate();
        }
      });
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private List<ApiKey> select(String sql, Object... params) {
    try {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, params);
          List<ApiKey> keys = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              keys.add(new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), scopes(rs.getString(4)),
                  rs.getString(5), instant(rs.getString(6)), instant(rs.getString(7)), instant(rs.getString(8))));
            }
          }
          return keys;
        }
      });
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      ps.setObject(i + 1, params[i]);
    }
  }

  private static String labels(Set<Scope> scopes) {
    return scopes.stream().sorted().map(Scope::label).collect(Collectors.joining(","));
  }

  private static Set<Scope> scopes(String labels) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String label : labels.split(",")) {
      scopes.add(Scope.of(label));
    }
    return scopes;
  }

  private static String text(Instant t) {
    return t == null ? null : t.toString();
  }

  private static Instant instant(String text) {
    return text == null ? null : Instant.parse(text);
  }

  private static UnavailableException unavailable(SQLException e) {
    return new UnavailableException("cannot use the key store: " + e.getMessage(), e);
  }
}
