package io.agentwatch.server.demo;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.config.AgentwatchProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;

/**
 * Simulated agents for a first look ({@code AGENTWATCH_DEMO=true}): a manager that opens runs,
 * creates and assigns tasks and messages its workers; three workers that start tasks, report
 * progress, call tools and models, message back, and sometimes fail. They connect through the
 * public WebSocket with a key of their own, exactly like real agents.
 */
public final class DemoAgents implements ApplicationListener<ApplicationReadyEvent>, SmartLifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(DemoAgents.class);
  private static final List<String> WORKERS = List.of("researcher", "coder", "reviewer");
  private static final List<String> TOOLS = List.of("web_search", "read_file", "run_tests", "write_file", "sql_query");
  private static final List<String> MODELS = List.of("gpt-4o-mini", "claude-sonnet", "llama-3-70b");
  private static final List<String> TITLES = List.of("Summarise the incident report", "Fix the flaky payment test",
      "Review the pricing change", "Draft the release notes", "Find the slow query", "Check the API contract");

  private final KeyService keys;
  private final AgentwatchProperties properties;
  private final Random random = new Random();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final List<DemoAgent> agents = new CopyOnWriteArrayList<>();
  private volatile boolean running;

  public DemoAgents(KeyService keys, AgentwatchProperties properties) {
    this.keys = keys;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port", "8080");
    URI uri = URI.create("ws://127.0.0.1:" + port + "/api/v1/ws");
    String key = properties.auth() ? demoKey() : null;
    HttpClient http = HttpClient.newHttpClient();
    try {
      DemoAgent manager = DemoAgent.connect(http, uri, key, "manager");
      Map<String, BlockingQueue<Task>> inboxes = new LinkedHashMap<>();
      List<DemoAgent> workers = new ArrayList<>();
      for (String w : WORKERS) {
        workers.add(DemoAgent.connect(http, uri, key, w));
        inboxes.put(w, new ArrayBlockingQueue<>(100));
      }
      agents.add(manager);
      agents.addAll(workers);
      threads.add(Thread.ofVirtual().name("demo-manager").start(() -> runManager(manager, inboxes)));
      for (DemoAgent w : workers) {
        threads.add(Thread.ofVirtual().name("demo-" + w.id()).start(() -> runWorker(w, inboxes.get(w.id()))));
      }
      LOG.info("Demo agents running: manager and {} workers, streaming to {}", WORKERS.size(), uri);
    } catch (RuntimeException e) {
      LOG.warn("Demo agents could not connect to {}: {}", uri, e.getMessage());
    }
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

  record Task(String runId, String taskId, String title, String createdEventId) {}

  private void runManager(DemoAgent manager, Map<String, BlockingQueue<Task>> inboxes) {
    int runNumber = 0;
    while (running) {
      try {
        String runId = "demo-run-" + Long.toString(System.currentTimeMillis(), 36);
        runNumber++;
        String start = manager.emit("agent.registered", runId, null, null,
            Map.of("role", "manager", "name", "Manager", "capabilities", List.of("plan", "delegate")));
        manager.emit("agent.status", runId, start, null, Map.of("status", "busy"));
        for (int t = 1; t <= 6 && running; t++) {
          String worker = WORKERS.get(random.nextInt(WORKERS.size()));
          String taskId = "task-" + runNumber + "-" + t;
          String title = TITLES.get(random.nextInt(TITLES.size()));
          String created = manager.emit("task.created", runId, start, null,
              Map.of("taskId", taskId, "title", title));
          manager.emit("message.sent", runId, created, worker,
              Map.of("to", worker, "content", "Please take " + taskId + ": " + title));
          manager.emit("task.assigned", runId, created, worker, Map.of("taskId", taskId, "assignee", worker));
          inboxes.get(worker).offer(new Task(runId, taskId, title, created));
          heartbeat(manager, runId);
          pause(1500 + random.nextInt(2000));
        }
        pause(8000);
        manager.emit("log", runId, start, null, Map.of("level", "info", "message", "run " + runId + " finished"));
        manager.emit("agent.status", runId, start, null, Map.of("status", "idle"));
        manager.emit("run.completed", runId, start, null, Map.of("tasks", 6));
        pause(3000);
      } catch (RuntimeException e) {
        // A refused or timed-out publish (server restarting, rate limit): try again shortly, like a real agent.
        retryLater("manager", e);
      }
    }
  }

  private void runWorker(DemoAgent worker, BlockingQueue<Task> inbox) {
    boolean registered = false;
    while (running) {
      try {
        if (!registered) {
          worker.emit("agent.registered", null, null, null, Map.of("role", "worker",
              "name", Character.toUpperCase(worker.id().charAt(0)) + worker.id().substring(1),
              "capabilities", List.of("tools", "llm")));
          registered = true;
        }
        Task task = inbox.poll(2, java.util.concurrent.TimeUnit.SECONDS);
        if (task == null) {
          heartbeat(worker, null);
        } else {
          work(worker, task);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        retryLater(worker.id(), e);
      }
    }
  }

  private void work(DemoAgent w, Task task) {
    String run = task.runId();
    String started = w.emit("task.started", run, task.createdEventId(), null, Map.of("taskId", task.taskId()));
    w.emit("agent.status", run, started, null, Map.of("status", "busy"));
    for (int step = 1; step <= 3 && running; step++) {
      String tool = TOOLS.get(random.nextInt(TOOLS.size()));
      String call = w.emit("tool.called", run, started, null, Map.of("tool", tool));
      int toolMs = 80 + random.nextInt(900);
      pause(toolMs);
      w.emit("tool.result", run, call, null, Map.of("tool", tool, "durationMs", toolMs));
      int in = 300 + random.nextInt(3000);
      int out = 50 + random.nextInt(800);
      w.emit("llm.call", run, call, null, Map.of("model", MODELS.get(random.nextInt(MODELS.size())),
          "inputTokens", in, "outputTokens", out, "costUsd", Math.round((in * 0.15 + out * 0.6) / 10.0) / 100000.0,
          "latencyMs", 200 + random.nextInt(1800)));
      w.emit("task.progress", run, started, null, Map.of("taskId", task.taskId(), "percent", step * 33));
      heartbeat(w, run);
      pause(300 + random.nextInt(700));
    }
    if (random.nextInt(10) == 0) {
      String error = "tool timed out after 30s";
      w.emit("error.occurred", run, started, null, Map.of("message", error));
      w.emit("task.failed", run, started, null, Map.of("taskId", task.taskId(), "error", error));
      w.emit("message.sent", run, started, "manager", Map.of("to", "manager", "content", task.taskId() + " failed"));
    } else {
      w.emit("task.completed", run, started, null, Map.of("taskId", task.taskId()));
      w.emit("message.sent", run, started, "manager", Map.of("to", "manager", "content", task.taskId() + " is done"));
    }
    w.emit("agent.status", run, started, null, Map.of("status", "idle"));
  }

  private void heartbeat(DemoAgent agent, String runId) {
    agent.emit("agent.heartbeat", runId, null, null, Map.of("cpu", Math.round(random.nextDouble() * 800) / 10.0,
        "memoryMb", 200 + random.nextInt(300), "queueDepth", random.nextInt(5)));
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void retryLater(String who, RuntimeException e) {
    if (running) {
      LOG.warn("Demo agent {} could not publish ({}); retrying in 2 s", who, e.getMessage());
      pause(2000);
    }
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    threads.forEach(Thread::interrupt);
    agents.forEach(DemoAgent::close);
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
