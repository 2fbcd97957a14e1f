package io.agentwatch.server.web;

import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.resilience.BackendUnavailableException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Builds RFC 9457 problem answers, the one shape of every error, for MVC and filters alike. */
public final class Problems {

  public static final String MEDIA_TYPE = "application/problem+json";

  private Problems() {}

  /** The problem body: type, title, status, detail, then the exception's extra members. */
  public static Map<String, Object> body(ApiException e) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", e.status().getReasonPhrase());
    body.put("status", e.status().value());
    body.put("detail", e.getMessage());
    body.putAll(e.properties());
    return body;
  }

  /** Content type, and {@code Retry-After} or {@code WWW-Authenticate} where the status calls for it. */
  public static HttpHeaders headers(ApiException e) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.parseMediaType(MEDIA_TYPE));
    if (e.retryAfter() != null) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds(e.retryAfter())));
    }
    if (e.status() == HttpStatus.UNAUTHORIZED) {
      headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentwatch\"");
    }
    return headers;
  }

  /**
   * 503 for a backend that cannot serve now, with the {@code Retry-After} its circuit breaker
   * suggests (one second when it has no suggestion).
   */
  public static ApiException unavailable(UnavailableException e) {
    ApiException problem = ApiException.unavailable(e.getMessage());
    if (e instanceof BackendUnavailableException backend) {
      problem.retryAfter(backend.retryAfter()).with("backend", backend.backend());
    }
    return problem;
  }

  /** Writes a problem straight to a response, for code that runs outside Spring MVC (filters). */
  public static void write(HttpServletResponse response, ApiException e) throws IOException {
    response.setStatus(e.status().value());
    headers(e).forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
    response.getOutputStream().write(EventCodec.JSON.writeValueAsBytes(body(e)));
  }

  private static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }
}
