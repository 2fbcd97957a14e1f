package io.agentwatch.redis;

import io.agentwatch.core.ingest.IdempotencyStore;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The {@link IdempotencyStore} every node shares: one key per (tenant, Idempotency-Key),
 * {@code <prefix>idem:{<tenant>}:<key>}, holding {@code p|<body hash>|<token>} while a request
 * is being applied (expiring after the claim time-to-live, so a node that dies mid-request frees
 * the key) and {@code d|<body hash>|<status>|<body>} once answered (expiring after the answer
 * time-to-live). Claim, complete and abandon are Lua scripts: atomic, and complete and abandon act
 * only on the caller's own open claim.
 */
public final class RedisIdempotencyStore implements IdempotencyStore {

  private static final LuaScript CLAIM = new LuaScript("""
      local v = redis.call('GET', KEYS[1])
      if not v then
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ''
      end
      return v
      """, ScriptOutputType.VALUE);

  private static final LuaScript REPLACE_OWN = new LuaScript("""
      if redis.call('GET', KEYS[1]) ~= ARGV[1] then
        return 0
      end
      if ARGV[2] == '' then
        redis.call('DEL', KEYS[1])
      else
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
      end
      return 1
      """, ScriptOutputType.INTEGER);

  private final RedisConnections redis;
  private final String ttlMillis;
  private final String claimMillis;

  /**
   * @param ttl      how long an answer is remembered (24 hours in the server)
   * @param claimTtl how long a claim holds without an answer before the key is free again
   */
  public RedisIdempotencyStore(RedisConnections redis, Duration ttl, Duration claimTtl) {
    if (claimTtl.toMillis() < 1 || ttl.compareTo(claimTtl) < 0) {
      throw new IllegalArgumentException(
          "claimTtl must be at least 1 ms and at most ttl but was claimTtl=" + claimTtl + " ttl=" + ttl);
    }
    this.redis = redis;
    this.ttlMillis = String.valueOf(ttl.toMillis());
    this.claimMillis = String.valueOf(claimTtl.toMillis());
  }

  @Override
  public Claim claim(String tenant, String key, byte[] bodyHash) {
    String hash = HexFormat.of().formatHex(bodyHash);
    String token = UUID.randomUUID().toString();
    String found = CLAIM.run(redis, new String[] {key(tenant, key)}, pending(hash, token), claimMillis);
    if (found.isEmpty()) {
      return Claim.claimed(token);
    }
    String[] parts = found.split("\\|", 4);
    if (!parts[1].equals(hash)) {
      return Claim.CONFLICT;
    }
    if (parts[0].equals("p")) {
      return Claim.IN_PROGRESS;
    }
    return Claim.answered(new Answer(Integer.parseInt(parts[2]), parts[3]));
  }

  @Override
  public void complete(String tenant, String key, String token, Answer answer) {
    String current = currentClaim(tenant, key, token);
    if (current != null) {
      String hash = current.split("\\|", 3)[1];
      REPLACE_OWN.run(redis, new String[] {key(tenant, key)}, current,
          "d|" + hash + "|" + answer.status() + "|" + answer.body(), ttlMillis);
    }
  }

  @Override
  public void abandon(String tenant, String key, String token) {
    String current = currentClaim(tenant, key, token);
    if (current != null) {
      REPLACE_OWN.run(redis, new String[] {key(tenant, key)}, current, "", "0");
    }
  }

  /** The stored value of the open claim {@code token}, or null when the key holds anything else. */
  private String currentClaim(String tenant, String key, String token) {
    String v = redis.call(c -> c.get(key(tenant, key)));
    return v != null && v.startsWith("p|") && v.endsWith("|" + token) ? v : null;
  }

  private static String pending(String hash, String token) {
    return "p|" + hash + "|" + token;
  }

  private String key(String tenant, String key) {
    return redis.key("idem:{" + tenant + "}:" + key);
  }

  @Override
  public void check() {
    redis.check();
  }
}
