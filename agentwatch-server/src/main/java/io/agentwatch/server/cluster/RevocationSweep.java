package io.agentwatch.server.cluster;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.server.stream.Connections;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes this node's open connections whose key was revoked on another node. A revocation closes
 * the connections of the node that made it at once ({@link KeyService#onRevoked}); the other nodes
 * learn of it here, by looking up every key that holds an open connection each {@code every} —
 * the same bound as {@link KeyService}'s cache for new requests.
 */
public final class RevocationSweep implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RevocationSweep.class);

  private final KeyService keys;
  private final Connections connections;
  private ScheduledExecutorService schedule;

  public RevocationSweep(KeyService keys, Connections connections) {
    this.keys = keys;
    this.connections = connections;
  }

  public synchronized RevocationSweep start(Duration every) {
    if (schedule == null) {
      schedule = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("revocation-sweep").daemon(true).factory());
      schedule.scheduleWithFixedDelay(this::sweep, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  /** Closes the connections of every key that is no longer active. */
  void sweep() {
    for (String keyId : connections.keyIds()) {
      try {
        if (!keys.isActive(keyId)) {
          LOG.info("closing the connections of key {}, revoked on another node", keyId);
          connections.closeKey(keyId);
        }
      } catch (UnavailableException e) {
        // The store is down: no revocation can be made now either; the next sweep looks again.
        return;
      } catch (RuntimeException e) {
        LOG.warn("could not check key {} for revocation", keyId, e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (schedule != null) {
      schedule.shutdownNow();
      schedule = null;
    }
  }
}
