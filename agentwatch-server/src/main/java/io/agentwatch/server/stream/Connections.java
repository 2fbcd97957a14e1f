package io.agentwatch.server.stream;

import io.agentwatch.core.stream.GapReason;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
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
 * closes its connections at once and shutdown can close them all, and so that no key and no
 * tenant holds more of them than its cap ({@code agentwatch.stream.max-connections-per-key} and
 * {@code …-per-tenant}): past it, a new connection is refused with 429 naming the setting.
 */
public final class Connections {

  /** Something that can be told to end: its subscriptions get a gap notice, then it closes. */
  public interface Closable {
    /** Starts ending; the future completes once the connection is closed. */
    CompletableFuture<Void> end(GapReason reason);
  }

  /**
   * A connection's place under the caps, taken before a WebSocket upgrade answers (so the cap is
   * exact even when the next upgrade comes before this one's socket is registered) and given
   * back when the connection closes or the upgrade fails.
   */
  public static final class Reservation {
    private final String keyId;
    private final String tenant;
    private boolean released;

    private Reservation(String keyId, String tenant) {
      this.keyId = keyId;
      this.tenant = tenant;
    }
  }

  private final int perKey;
  private final int perTenant;
  private final Map<Closable, Reservation> open = new ConcurrentHashMap<>();
  private final Map<String, Integer> byKey = new ConcurrentHashMap<>();
  private final Map<String, Integer> byTenant = new ConcurrentHashMap<>();

  public Connections(int perKey, int perTenant) {
    if (perKey < 1 || perTenant < 1) {
      throw new IllegalArgumentException("connection caps must be >= 1 but were " + perKey + " per key and "
          + perTenant + " per tenant");
    }
    this.perKey = perKey;
    this.perTenant = perTenant;
  }

  /**
   * Refuses a new connection of {@code caller} when its key or tenant is at its cap.
   *
   * @throws ApiException 429 naming the setting
   */
  public synchronized void admit(Caller caller) {
    String key = keyOf(caller);
    if (!key.isEmpty() && byKey.getOrDefault(key, 0) >= perKey) {
      throw refused("this key holds " + perKey + " stream connections already",
          "agentwatch.stream.max-connections-per-key (AGENTWATCH_STREAM_MAX_CONNECTIONS_PER_KEY)");
    }
    if (byTenant.getOrDefault(caller.tenant(), 0) >= perTenant) {
      throw refused("tenant '" + caller.tenant() + "' holds " + perTenant + " stream connections already",
          "agentwatch.stream.max-connections-per-tenant (AGENTWATCH_STREAM_MAX_CONNECTIONS_PER_TENANT)");
    }
  }

  private static ApiException refused(String what, String setting) {
    return ApiException.tooManyRequests(what + "; close some, or raise " + setting, Duration.ofSeconds(5));
  }

  /**
   * Takes a place for a new connection of {@code caller}.
   *
   * @throws ApiException 429 when its key or tenant is at its cap (nothing is taken then)
   */
  public synchronized Reservation reserve(Caller caller) {
    admit(caller);
    String key = keyOf(caller);
    if (!key.isEmpty()) {
      byKey.merge(key, 1, Integer::sum);
    }
    byTenant.merge(caller.tenant(), 1, Integer::sum);
    return new Reservation(key, caller.tenant());
  }

  /** Gives a place back (once; later calls do nothing). */
  public synchronized void release(Reservation reservation) {
    if (reservation.released) {
      return;
    }
    reservation.released = true;
    if (!reservation.keyId.isEmpty()) {
      byKey.computeIfPresent(reservation.keyId, (k, n) -> n > 1 ? n - 1 : null);
    }
    byTenant.computeIfPresent(reservation.tenant, (t, n) -> n > 1 ? n - 1 : null);
  }

  /** Registers an open connection in the place it reserved. */
  public void add(Closable connection, Reservation reservation) {
    open.put(connection, reservation);
  }

  /**
   * Reserves and registers a connection of {@code caller} at once.
   *
   * @throws ApiException 429 when its key or tenant is at its cap (nothing is registered then)
   */
  public void add(Closable connection, Caller caller) {
    add(connection, reserve(caller));
  }

  /** The connection closed: it leaves the registry and gives its place back. */
  public void remove(Closable connection) {
    Reservation reservation = open.remove(connection);
    if (reservation != null) {
      release(reservation);
    }
  }

  private static String keyOf(Caller caller) {
    return caller.keyId() == null ? "" : caller.keyId();
  }

  public int count() {
    return open.size();
  }

  /** The ids of the keys that hold open connections (connections without a key are not listed). */
  public Set<String> keyIds() {
    return new HashSet<>(byKey.keySet());
  }

  public void closeKey(String keyId) {
    open.forEach((c, reservation) -> {
      if (reservation.keyId.equals(keyId)) {
        c.end(GapReason.REVOKED);
      }
    });
  }

  /** Ends every connection and waits (up to {@code wait}) until they are closed. */
  public void closeAll(Duration wait) {
    CompletableFuture<?>[] closing = Set.copyOf(open.keySet()).stream().map(c -> c.end(GapReason.SHUTDOWN))
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
