package io.agentwatch.server.stream;

import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.auth.CallerResolver;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Problems;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Admits a WebSocket upgrade: the caller was authenticated by the API key filter (the path is
 * under {@code /api/}), a browser's {@code Origin} must be allowed (else 403), and the caller's key
 * and tenant must be below their connection caps (else 429 naming the setting).
 */
public final class SocketHandshake implements HandshakeInterceptor {

  static final String CALLER = "agentwatch.caller";
  static final String RESERVATION = "agentwatch.connection-reservation";

  private final OriginPolicy origins;
  private final Connections connections;

  public SocketHandshake(OriginPolicy origins, Connections connections) {
    this.origins = origins;
    this.connections = connections;
  }

  @Override
  public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Map<String, Object> attributes) {
    String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, request.getHeaders().getFirst(HttpHeaders.HOST))) {
      return refuse(response, ApiException.forbidden("origin " + origin + " is not allowed"));
    }
    Caller caller = CallerResolver.from(((ServletServerHttpRequest) request).getServletRequest());
    Connections.Reservation reservation;
    try {
      reservation = connections.reserve(caller);
    } catch (ApiException overCap) {
      return refuse(response, overCap);
    }
    attributes.put(RESERVATION, reservation);
    ((ServletServerHttpRequest) request).getServletRequest().setAttribute(RESERVATION, reservation);
    attributes.put(CALLER, caller);
    return true;
  }

  private static boolean refuse(ServerHttpResponse response, ApiException problem) {
    HttpServletResponse servlet = ((ServletServerHttpResponse) response).getServletResponse();
    try {
      Problems.write(servlet, problem);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return false;
  }

  /** An upgrade that failed or was refused after its place was reserved gives the place back. */
  @Override
  public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Exception exception) {
    Object reserved = ((ServletServerHttpRequest) request).getServletRequest().getAttribute(RESERVATION);
    int status = ((ServletServerHttpResponse) response).getServletResponse().getStatus();
    if (reserved instanceof Connections.Reservation reservation && (exception != null || status != 101)) {
      connections.release(reservation);
    }
  }
}
