package io.agentwatch.server.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A client-facing failure with its HTTP status, turned into an RFC 9457 problem by
 * {@link ProblemAdvice}. Extra members (e.g. the list of rejected events) go into the problem
 * body; {@code retryAfter} becomes the {@code Retry-After} header.
 */
public final class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private Duration retryAfter;

  public ApiException(HttpStatus status, String detail) {
    super(detail);
    this.status = status;
  }

  public static ApiException badRequest(String detail) {
    return new ApiException(HttpStatus.BAD_REQUEST, detail);
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(HttpStatus.UNAUTHORIZED, detail);
  }

  public static ApiException forbidden(String detail) {
    return new ApiException(HttpStatus.FORBIDDEN, detail);
  }

  public static ApiException notFound(String detail) {
    return new ApiException(HttpStatus.NOT_FOUND, detail);
  }

  public static ApiException tooManyRequests(String detail, Duration retryAfter) {
    return new ApiException(HttpStatus.TOO_MANY_REQUESTS, detail).retryAfter(retryAfter);
  }

  public static ApiException unavailable(String detail) {
    return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, detail).retryAfter(Duration.ofSeconds(1));
  }

  public ApiException with(String name, Object value) {
    properties.put(name, value);
    return this;
  }

  public ApiException retryAfter(Duration after) {
    this.retryAfter = after;
    return this;
  }

  public HttpStatus status() {
    return status;
  }

  public Map<String, Object> properties() {
    return properties;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
