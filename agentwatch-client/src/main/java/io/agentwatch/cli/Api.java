package io.agentwatch.cli;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** The server's REST API for the commands: JSON in and out, problems turned into {@link ApiError}. */
final class Api implements AutoCloseable {

  private final URI root;
  private final String key;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Api(URI url, String key) {
    String s = url.toString();
    this.root = URI.create(s.endsWith("/") ? s : s + "/");
    this.key = key == null || key.isBlank() ? null : key;
  }

  URI root() {
    return root;
  }

  String key() {
    return key;
  }

  HttpClient http() {
    return http;
  }

  /** {@code path?name=value&…}, skipping null values; a list value repeats the parameter. */
  static String query(String path, Map<String, ?> params) {
    StringBuilder sb = new StringBuilder(path);
    char sep = '?';
    for (Map.Entry<String, ?> p : params.entrySet()) {
      List<?> values = p.getValue() instanceof List<?> list ? list : p.getValue() == null ? List.of() : List.of(p.getValue());
      for (Object v : values) {
        sb.append(sep).append(p.getKey()).append('=').append(URLEncoder.encode(v.toString(), StandardCharsets.UTF_8));
        sep = '&';
      }
    }
    return sb.toString();
  }

  HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(root.resolve(path.startsWith("/") ? path.substring(1) : path))
        .timeout(Duration.ofSeconds(60));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  JsonNode get(String path) {
    return json(send(request(path).GET().build()));
  }

  JsonNode post(String path, String jsonBody) {
    return json(send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(jsonBody)).build()));
  }

  void delete(String path) {
    send(request(path).DELETE().build());
  }

  /** Sends and returns a 2xx answer's body; anything else becomes an {@link ApiError}. */
  private String send(HttpRequest request) {
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    if (response.statusCode() / 100 != 2) {
      throw ApiError.of(response.statusCode(), response.body());
    }
    return response.body();
  }

  /** Opens a streaming GET; a non-2xx answer becomes an {@link ApiError}. */
  InputStream stream(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() / 100 != 2) {
      try (InputStream body = response.body()) {
        throw ApiError.of(response.statusCode(), new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8));
      }
    }
    return response.body();
  }

  CliException unreachable(IOException e) {
    return new CliException("cannot reach " + root + ": " + (e.getMessage() == null
        ? e.getClass().getSimpleName() + " (is the server running there?)" : e.getMessage()));
  }

  private static JsonNode json(String body) {
    if (body == null || body.isBlank()) {
      return EventCodec.JSON.createObjectNode();
    }
    try {
      return EventCodec.JSON.readTree(body);
    } catch (JacksonException e) {
      throw new CliException("the server answered something that is not JSON: " + abbreviate(body));
    }
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }

  @Override
  public void close() {
    http.close();
  }

  /** A 4xx or 5xx answer, with the problem's detail (and its listed problems) as the message. */
  static final class ApiError extends RuntimeException {

    private final int status;
    private final JsonNode problem;

    private ApiError(int status, String message, JsonNode problem) {
      super(message);
      this.status = status;
      this.problem = problem;
    }

    static ApiError of(int status, String body) {
      JsonNode problem = null;
      try {
        problem = body == null || body.isBlank() ? null : EventCodec.JSON.readTree(body);
      } catch (JacksonException e) {
        // Not a problem document; the raw body is the message.
      }
      StringBuilder message = new StringBuilder("HTTP ").append(status);
      if (problem != null && problem.isObject()) {
        message.append(": ").append(problem.path("detail").asString(problem.path("title").asString("")));
        for (JsonNode p : problem.path("problems")) {
          message.append("\n  ").append(p.path("path").asString()).append(' ').append(p.path("reason").asString());
        }
      } else if (body != null && !body.isBlank()) {
        message.append(": ").append(abbreviate(body));
      }
      if (status == 401) {
        message.append("\n  (give an API key with --key or AGENTWATCH_KEY)");
      }
      return new ApiError(status, message.toString(), problem);
    }

    int status() {
      return status;
    }

    JsonNode problem() {
      return problem;
    }
  }
}
