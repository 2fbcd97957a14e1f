package io.agentwatch.server.demo;

import io.agentwatch.client.AgentwatchClient;
import io.agentwatch.client.ClientListener;
import io.agentwatch.client.Transport;
import io.agentwatch.client.sim.Simulation;
import io.agentwatch.client.sim.Team;
import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.config.AgentwatchProperties;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Simulated agents for a first look ({@code AGENTWATCH_DEMO=true}): a manager that opens runs,
 * creates and assigns tasks and messages its workers; three workers that start tasks, report
 * progress, call tools and models, message back, and sometimes fail. Each streams through the
 * Java SDK over the public WebSocket with a key of its own, exactly like a real agent, and obeys
 * the commands an operator sends it (pause, resume, cancel, quarantine).
 */
public final class DemoAgents implements ApplicationListener<ApplicationReadyEvent>, SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(DemoAgents.class);
  private static final String MANAGER = "manager";
  private static final List<String> WORKERS = List.of("researcher", "coder", "reviewer");

  private final KeyService keys;
  private final AgentwatchProperties properties;
  private volatile Simulation simulation;
  private volatile HttpClient http;
  private volatile boolean running;

  public DemoAgents(KeyService keys, AgentwatchProperties properties) {
    this.keys = keys;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (!running) {
      return;
    }
    String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port", "8080");
    String url = "http://127.0.0.1:" + port;
    String key = properties.auth() ? demoKey() : null;
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // A fresh team per start: a team holds the inboxes and quarantines of one simulation.
    Team team = new Team(MANAGER, WORKERS);
    simulation = Simulation.start(new Simulation.Options(List.of(team), "demo", 1.0, 0, System.nanoTime()),
        agentId -> AgentwatchClient.builder(url).apiKey(key).httpClient(http).listener(new ClientListener() {
          @Override
          public void transportChanged(Transport transport, String detail) {
            if (transport != Transport.WEBSOCKET) {
              LOG.debug("Demo agent {}: {}", agentId, detail);
            }
          }
        }));
    LOG.info("Demo agents running: {} and {} workers, streaming to {}", MANAGER, WORKERS.size(), url);
  }

  /** A fresh ingest-only key per start; earlier demo keys are revoked. */
  private String demoKey() {
    for (ApiKey k : keys.list(Caller.DEFAULT_TENANT)) {
      if ("demo agents".equals(k.name()) && !k.isRevoked()) {
        keys.revoke(k.id());
      }
    }
    return keys.issue(Caller.DEFAULT_TENANT, "demo agents", EnumSet.of(Scope.INGEST)).key();
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    Simulation s = simulation;
    if (s != null) {
      // The server is still accepting during this phase, so what the agents buffered gets stored.
      s.stop(Duration.ofSeconds(3));
      simulation = null;
    }
    HttpClient h = http;
    if (h != null) {
      h.close();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
