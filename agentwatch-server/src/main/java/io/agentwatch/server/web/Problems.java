package io.agentwatch.server.web;

import io.agentwatch.model.EventCodec;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/** Builds and writes RFC 9457 problem bodies, the one shape of every error answer. */
public final class Problems {

  public static final String MEDIA_TYPE = "application/problem+json";

  private Problems() {}

  public static ProblemDetail of(HttpStatus status, String detail, Map<String, Object> properties) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setTitle(status.getReasonPhrase());
    properties.forEach(problem::setProperty);
    return problem;
  }

  /** Writes a problem straight to a response, for code that runs outside Spring MVC (filters). */
  public static void write(HttpServletResponse response, ApiException e) throws IOException {
    response.setStatus(e.status().value());
    response.setContentType(MEDIA_TYPE);
    if (e.retryAfter() != null) {
      response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds(e.retryAfter())));
    }
    if (e.status() == HttpStatus.UNAUTHORIZED) {
      response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"agentwatch\"");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", e.status().getReasonPhrase());
    body.put("status", e.status().value());
    body.put("detail", e.getMessage());
    body.putAll(e.properties());
    response.getOutputStream().write(EventCodec.JSON.writeValueAsBytes(body));
  }

  static long seconds(Duration d) {
    return Math.max(1, (d.toMillis() + 999) / 1000);
  }
}
