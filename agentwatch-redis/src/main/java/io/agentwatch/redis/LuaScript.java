package io.agentwatch.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A Lua script run atomically by Redis. Called by its SHA-1, so only the digest travels; the
 * source is sent again when Redis does not know it (first use, or after a restart).
 */
final class LuaScript {

  private final String source;
  private final String sha;
  private final ScriptOutputType output;

  LuaScript(String source, ScriptOutputType output) {
    this.source = source;
    this.output = output;
    try {
      this.sha = HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }

  <T> T run(RedisConnections redis, String[] keys, String... args) {
    return redis.call(c -> {
      try {
        return c.<T>evalsha(sha, output, keys, args);
      } catch (RedisNoScriptException e) {
        return c.<T>eval(source, output, keys, args);
      }
    });
  }
}
