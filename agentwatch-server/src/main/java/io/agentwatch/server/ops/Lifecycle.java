package io.agentwatch.server.ops;

import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.GapReason;
import java.time.Duration;
import io.agentwatch.server.stream.Connections;
import io.agentwatch.server.web.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Graceful shutdown, first of all stop steps (highest phase): stop accepting new ingest (503),
 * end every live subscription with a resumable {@code gap} (reason {@code shutdown}) and close the
 * connections. Then the web server finishes requests in flight, and only after that the log is
 * closed, which commits whatever was queued: every ack in flight still goes out.
 */
public final class Lifecycle implements SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Fanout fanout;
  private final Connections connections;
  private volatile boolean running;

  public Lifecycle(Fanout fanout, Connections connections) {
    this.fanout = fanout;
    this.connections = connections;
  }

  /** @throws ApiException 503 while shutting down */
  public void requireAccepting() {
    if (!running) {
      throw ApiException.unavailable("the server is shutting down; retry against another node or shortly");
    }
  }

  public boolean accepting() {
    return running;
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    LOG.info("Stopping: refusing new ingest, ending {} live subscriptions with a resumable cursor",
        fanout.subscribers());
    fanout.endAll(GapReason.SHUTDOWN);
    connections.closeAll(Duration.ofSeconds(10));
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return Integer.MAX_VALUE - 1;
  }
}
