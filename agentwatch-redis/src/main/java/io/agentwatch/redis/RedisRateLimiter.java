package io.agentwatch.redis;

import io.agentwatch.core.ingest.RateLimiter;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;

/**
 * The {@link RateLimiter} every node shares: one token bucket per tenant in a Redis hash
 * ({@code <prefix>rate:{<tenant>}}: tokens and the time they were counted), taken from and
 * refilled by one Lua script, so concurrent requests on any number of nodes never take more than
 * the bucket holds. Time is Redis's own clock ({@code TIME}), so the nodes' clocks need not agree.
 * A bucket left alone refills completely within a second, so its key expires soon after.
 */
public final class RedisRateLimiter implements RateLimiter {

  private static final LuaScript TAKE = new LuaScript("""
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
      local rate = tonumber(ARGV[1])
      local want = tonumber(ARGV[2])
      local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
      local tokens = tonumber(b[1])
      local at = tonumber(b[2])
      if tokens == nil or at == nil then
        tokens = rate
        at = now
      end
      if now > at then
        tokens = math.min(rate, tokens + (now - at) * rate / 1000000)
        at = now
      end
      local wait = 0
      if tokens >= want then
        tokens = tokens - want
      else
        wait = math.ceil((want - tokens) * 1000000 / rate)
      end
      redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', at))
      redis.call('PEXPIRE', KEYS[1], 1500)
      return wait
      """, ScriptOutputType.INTEGER);

  private final RedisConnections redis;
  private final int perSecond;

  public RedisRateLimiter(RedisConnections redis, int perSecond) {
    if (perSecond < 1) {
      throw new IllegalArgumentException("perSecond must be at least 1 but was " + perSecond);
    }
    this.redis = redis;
    this.perSecond = perSecond;
  }

  @Override
  public int perSecond() {
    return perSecond;
  }

  @Override
  public Decision tryAcquire(String tenant, int events) {
    long waitMicros = TAKE.<Long>run(redis, new String[] {redis.key("rate:{" + tenant + "}")},
        String.valueOf(perSecond), String.valueOf(RateLimiter.tokensFor(events, perSecond)));
    return waitMicros <= 0 ? Decision.GRANTED : Decision.refused(Duration.ofNanos(waitMicros * 1_000));
  }

  @Override
  public void check() {
    redis.check();
  }
}
