package io.agentwatch.server.stream;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The open long-lived connections (WebSocket sessions and SSE streams), so that revoking a key
 * closes its connections at once and shutdown can close them all.
 */
public final class Connections {

  /** Something that can be told to end: its subscriptions get a gap notice, then it closes. */
  public interface Closable {
    /** Starts ending; the future completes once the connection is closed. */
    CompletableFuture<Void> end(String reason);
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

  /** The ids of the keys that hold open connections (connections without a key are not listed). */
  public Set<String> keyIds() {
    Set<String> ids = new HashSet<>(open.values());
    ids.remove("");
    return ids;
  }

  public void closeKey(String keyId) {
    open.forEach((c, k) -> {
      if (k.equals(keyId)) {
        c.end("revoked");
      }
    });
  }

  /** Ends every connection and waits (up to {@code wait}) until they are closed. */
  public void closeAll(Duration wait) {
    CompletableFuture<?>[] closing = Set.copyOf(open.keySet()).stream().map(c -> c.end("shutdown"))
        .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(closing).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Whatever is still open is cut by the web server's own shutdown; clients resume by cursor.
    }
  }
}
