package io.agentwatch.server.auth;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.StreamTickets;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Problems;
import io.agentwatch.server.web.QueryParameters;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates every request it is registered for ({@code /api/*}, {@code /v1/*}): {@code Authorization: Bearer <key>},
 * {@code x-api-key: <key>} (what OTLP exporters are commonly configured to send), or
 * {@code ?access_token=<key or stream ticket>} for browsers, which cannot set headers on EventSource or
 * WebSocket. A stream ticket ({@link StreamTickets}) is accepted only there and only on a GET, so a leaked
 * ticket can neither write nor mint more tickets. No or an unknown credential gets 401 before any handler
 * runs; scopes are checked by the handlers. {@code GET /api/v1/auth} ({@link AuthModeController}) is open.
 */
public final class ApiKeyFilter extends OncePerRequestFilter {

  private final KeyService keys;
  private final StreamTickets tickets;
  private final AgentwatchProperties properties;

  public ApiKeyFilter(KeyService keys, StreamTickets tickets, AgentwatchProperties properties) {
    this.keys = keys;
    this.tickets = tickets;
    this.properties = properties;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!properties.auth()) {
      request.setAttribute(Caller.ATTRIBUTE, Caller.anonymousAdmin());
      chain.doFilter(request, response);
      return;
    }
    if ("GET".equals(request.getMethod()) && AuthModeController.PATH.equals(request.getRequestURI())) {
      chain.doFilter(request, response);
      return;
    }
    if ("OPTIONS".equals(request.getMethod()) && request.getHeader(HttpHeaders.ORIGIN) != null) {
      chain.doFilter(request, response);
      return;
    }
    String presented = presentedKey(request);
    if (presented == null) {
      Problems.write(response, ApiException.unauthorized(
          "an API key is required: send 'Authorization: Bearer <key>' (or ?access_token=<key> from a browser)"));
      return;
    }
    if (StreamTickets.looksLikeTicket(presented) && request.getHeader(HttpHeaders.AUTHORIZATION) == null
        && request.getHeader("x-api-key") == null) {
      if (!"GET".equals(request.getMethod())) {
        Problems.write(response, ApiException.unauthorized("a stream ticket opens only a stream (GET); send the API key"));
        return;
      }
      Optional<ApiKey> ticketKey;
      try {
        ticketKey = tickets.redeem(presented).flatMap(keys::find).filter(k -> !k.isRevoked());
      } catch (UnavailableException e) {
        Problems.write(response, Problems.unavailable(e));
        return;
      }
      if (ticketKey.isEmpty()) {
        Problems.write(response, ApiException.unauthorized(
            "the stream ticket is unknown, used or expired; ask POST /api/v1/stream-tickets for a new one"));
        return;
      }
      request.setAttribute(Caller.ATTRIBUTE, Caller.of(ticketKey.get()));
      chain.doFilter(request, response);
      return;
    }
    Optional<ApiKey> key;
    try {
      key = keys.authenticate(presented);
    } catch (UnavailableException e) {
      // The key store cannot answer (a distributed backend is down): a 503 to retry, not a 500.
      Problems.write(response, Problems.unavailable(e));
      return;
    }
    if (key.isEmpty()) {
      Problems.write(response, ApiException.unauthorized("the API key is unknown or revoked"));
      return;
    }
    request.setAttribute(Caller.ATTRIBUTE, Caller.of(key.get()));
    chain.doFilter(request, response);
  }

  static String presentedKey(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    String apiKey = request.getHeader("x-api-key");
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.trim();
    }
    // From the URL only: asking the container for a parameter would consume a form-encoded body.
    String token = QueryParameters.first(request.getQueryString(), "access_token");
    return token == null || token.isBlank() ? null : token.trim();
  }
}
