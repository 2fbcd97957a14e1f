package io.agentwatch.server.stream;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open long-lived connections (WebSocket sessions and SSE streams), so that revoking a key
 * closes its connections at once and shutdown can close them all.
 */
public final class Connections {

  /** Something that can be told to end: its subscriptions get a gap notice, then it closes. */
  public interface Closable {
    void end(String reason);
  }

  private final Map<Closable, String> open = new ConcurrentHashMap<>();

  /** Registers a connection made with {@code keyId} (null when auth is off). */
  public void add(Closable connection, String keyId) {
    open.put(connection, keyId == null ? "" : keyId);
  }

  public void remove(Closable connection) {
    open.remove(connection);
  }

  public int count() {
    return open.size();
  }

  public void closeKey(String keyId) {
    open.forEach((c, k) -> {
      if (k.equals(keyId)) {
        c.end("revoked");
      }
    });
  }

  public void closeAll() {
    Set.copyOf(open.keySet()).forEach(c -> c.end("shutdown"));
  }
}
