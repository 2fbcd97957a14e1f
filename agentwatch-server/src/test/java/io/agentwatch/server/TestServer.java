package io.agentwatch.server;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/** The real server, started in this JVM on a random port over a given data folder. */
public final class TestServer implements AutoCloseable {

  public static final String ADMIN_KEY = "aw_test-admin-key-for-end-to-end-tests";

  private final ConfigurableApplicationContext context;
  private final int port;
  public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestServer(ConfigurableApplicationContext context) {
    this.context = context;
    this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  public static TestServer start(Path dataDir, String... extraArgs) {
    return startOnPort(0, dataDir, extraArgs);
  }

  /** On a fixed port, so a browser page keeps its origin when the server restarts. */
  public static TestServer startOnPort(int port, Path dataDir, String... extraArgs) {
    List<String> args = new ArrayList<>();
    for (String arg : List.of(
        "--server.port=" + port,
        "--agentwatch.data-dir=" + dataDir,
        "--agentwatch.admin-key=" + ADMIN_KEY,
        "--agentwatch.demo=false",
        "--logging.level.root=WARN")) {
      // An extra --key=value replaces the default: Spring would join both into "default,extra".
      String key = arg.substring(0, arg.indexOf('=') + 1);
      if (List.of(extraArgs).stream().noneMatch(extra -> extra.startsWith(key))) {
        args.add(arg);
      }
    }
    args.addAll(List.of(extraArgs));
    return new TestServer(new SpringApplicationBuilder(AgentwatchApplication.class).run(args.toArray(String[]::new)));
  }

  public int port() {
    return port;
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public URI wsUri() {
    return URI.create("ws://127.0.0.1:" + port + "/api/v1/ws");
  }

  public HttpResponse<String> get(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  public HttpResponse<String> post(String path, String key, String contentType, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  public HttpResponse<String> delete(String path, String key) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).DELETE();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return send(b.build());
  }

  public HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A key of {@code tenant} with the given scopes, made through the API with the admin key. */
  public String newKey(String tenant, String... scopes) {
    String body = EventCodec.JSON.writeValueAsString(java.util.Map.of("tenant", tenant, "scopes", List.of(scopes),
        "name", "test"));
    HttpResponse<String> r = post("/api/v1/keys", ADMIN_KEY, "application/json", body);
    if (r.statusCode() != 201) {
      throw new IllegalStateException("cannot create key: " + r.statusCode() + " " + r.body());
    }
    return json(r.body()).get("key").stringValue();
  }

  public TestSocket socket(String key) {
    return TestSocket.open(http, wsUri(), key, null);
  }

  public static JsonNode json(String text) {
    return EventCodec.JSON.readTree(text);
  }

  @Override
  public void close() {
    context.close();
  }

  /** Waits for a condition, polling; fails with {@code message} after {@code seconds}. */
  public static void await(String message, int seconds, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out: " + message);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

}
