package io.agentwatch.server.web;

import io.agentwatch.model.EventCodec;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;

/**
 * Every body the API takes is JSON (or NDJSON for ingest), so the declared {@code Content-Type}
 * only decides how a body is read when it says JSON or NDJSON. Any other declaration (curl's
 * {@code -d} sends {@code application/x-www-form-urlencoded}, some clients send {@code text/plain}
 * or nothing) is checked against the body itself: a body that parses as one JSON value is passed
 * on as {@code application/json}; anything else gets {@code 415} naming the type to send. Bodies
 * declared as JSON pass untouched, so a malformed one still gets the endpoint's precise 400.
 *
 * <p>Registered for {@code /api/*} after authentication, so an unauthenticated caller never gets
 * a body buffered. Bodies are read up to the API's limit; larger ones get {@code 413}.
 */
public final class JsonBodyFilter extends OncePerRequestFilter {

  private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");
  /** Paths that also read NDJSON, named in the 415 so the client learns both choices. */
  private static final Set<String> NDJSON_PATHS = Set.of("/api/v1/events");

  private final int maxBodyBytes;

  public JsonBodyFilter(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!WITH_BODY.contains(request.getMethod()) || declaresJson(request.getContentType())) {
      chain.doFilter(request, response);
      return;
    }
    if (request.getContentLengthLong() > maxBodyBytes) {
      Problems.write(response, tooLarge());
      return;
    }
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(maxBodyBytes + 1);
    }
    if (body.length > maxBodyBytes) {
      Problems.write(response, tooLarge());
      return;
    }
    if (body.length > 0 && !isOneJsonValue(body)) {
      Problems.write(response, notJson(request));
      return;
    }
    chain.doFilter(new JsonBodyRequest(request, body), response);
  }

  /** JSON, a {@code +json} type, or one of the NDJSON names that ingest reads line by line. */
  static boolean declaresJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    int semicolon = type.indexOf(';');
    type = (semicolon < 0 ? type : type.substring(0, semicolon)).trim();
    return type.equals("application/json") || type.equals("text/json") || type.endsWith("+json")
        || type.equals("application/x-ndjson") || type.equals("application/ndjson")
        || type.equals("application/jsonl") || type.equals("application/x-jsonlines");
  }

  /** Whether {@code body} is exactly one JSON value (whitespace around it allowed). */
  static boolean isOneJsonValue(byte[] body) {
    try (JsonParser parser = EventCodec.JSON.createParser(body)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (JacksonException e) {
      return false;
    }
  }

  private static ApiException notJson(HttpServletRequest request) {
    String declared = request.getContentType() == null ? "no Content-Type" : "Content-Type '" + request.getContentType() + "'";
    boolean ndjson = NDJSON_PATHS.contains(request.getRequestURI());
    String expected = ndjson
        ? "'Content-Type: application/json' (an array of events) or 'Content-Type: application/x-ndjson'"
        : "'Content-Type: application/json'";
    return new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "the body was sent with " + declared + " and is not JSON; send JSON with " + expected)
        .with("expected", ndjson ? List.of("application/json", "application/x-ndjson") : List.of("application/json"));
  }

  private ApiException tooLarge() {
    return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body must be at most " + maxBodyBytes + " bytes");
  }
}
