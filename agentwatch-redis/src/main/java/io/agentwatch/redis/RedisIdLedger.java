package io.agentwatch.redis;

import io.agentwatch.core.log.IdLedger;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link IdLedger} every node of a Kafka deployment shares. One key per event,
 * {@code <prefix>id:{<tenant>}:<id>}, holding {@code r:<owner>} while reserved (with the
 * reservation's time-to-live as the key's) and {@code c} once confirmed (kept for the retention
 * window). Reserve, confirm and release are Lua scripts, so each is atomic per call; the
 * {@code {tenant}} hash tag keeps one call's keys in one slot of a Redis Cluster. A reservation
 * whose key expired is gone, which is exactly a stale reservation: the next writer reserves it
 * anew.
 */
public final class RedisIdLedger implements IdLedger {

  private static final LuaScript RESERVE = new LuaScript("""
      local out = {}
      for i, k in ipairs(KEYS) do
        local v = redis.call('GET', k)
        if not v then
          redis.call('SET', k, ARGV[1], 'PX', ARGV[2])
          out[i] = 0
        elseif v == 'c' then
          out[i] = 1
        elseif v == ARGV[1] then
          redis.call('PEXPIRE', k, ARGV[2])
          out[i] = 0
        else
          out[i] = 2
        end
      end
      return out
      """, ScriptOutputType.MULTI);

  private static final LuaScript CONFIRM = new LuaScript("""
      for i, k in ipairs(KEYS) do
        redis.call('SET', k, 'c', 'PX', ARGV[1])
      end
      return #KEYS
      """, ScriptOutputType.INTEGER);

  private static final LuaScript RELEASE = new LuaScript("""
      local n = 0
      for i, k in ipairs(KEYS) do
        if redis.call('GET', k) == ARGV[1] then
          redis.call('DEL', k)
          n = n + 1
        end
      end
      return n
      """, ScriptOutputType.INTEGER);

  private static final Claim[] CLAIMS = {Claim.RESERVED, Claim.CONFIRMED, Claim.PENDING};

  private final RedisConnections redis;
  private final String reservationMillis;
  private final String retentionMillis;

  /**
   * @param reservationTtl how long a reservation holds before another writer may take it over;
   *                       longer than the log's append timeout
   * @param retention      how long a confirmed id is remembered
   */
  public RedisIdLedger(RedisConnections redis, Duration reservationTtl, Duration retention) {
    if (reservationTtl.toMillis() < 1 || retention.compareTo(reservationTtl) < 0) {
      throw new IllegalArgumentException("reservationTtl must be at least 1 ms and retention at least as long, but were "
          + reservationTtl + " and " + retention);
    }
    this.redis = redis;
    this.reservationMillis = String.valueOf(reservationTtl.toMillis());
    this.retentionMillis = String.valueOf(retention.toMillis());
  }

  @Override
  public List<Claim> reserve(String owner, List<Key> keys) {
    Map<Key, Claim> claims = new LinkedHashMap<>();
    byTenant(keys).forEach((tenant, ids) -> {
      List<Long> answers = RESERVE.run(redis, ids.stream().map(k -> key(k)).toArray(String[]::new), "r:" + owner,
          reservationMillis);
      for (int i = 0; i < ids.size(); i++) {
        claims.put(ids.get(i), CLAIMS[answers.get(i).intValue()]);
      }
    });
    return keys.stream().map(claims::get).toList();
  }

  @Override
  public void confirm(List<Key> keys) {
    byTenant(keys).forEach((tenant, ids) ->
        CONFIRM.run(redis, ids.stream().map(this::key).toArray(String[]::new), retentionMillis));
  }

  @Override
  public void release(String owner, List<Key> keys) {
    byTenant(keys).forEach((tenant, ids) ->
        RELEASE.run(redis, ids.stream().map(this::key).toArray(String[]::new), "r:" + owner));
  }

  /** One script call per tenant: its keys share a cluster slot. */
  private static Map<String, List<Key>> byTenant(List<Key> keys) {
    Map<String, List<Key>> groups = new LinkedHashMap<>();
    for (Key k : keys) {
      groups.computeIfAbsent(k.tenant(), t -> new ArrayList<>()).add(k);
    }
    return groups;
  }

  private String key(Key k) {
    return redis.key("id:{" + k.tenant() + "}:" + k.id());
  }

  @Override
  public void check() {
    redis.check();
  }

  /** The connections are the caller's to close. */
  @Override
  public void close() {}
}
