package io.agentwatch.server.stream;

import io.agentwatch.server.auth.CallerResolver;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.socket.WebSocketHandler;
import org.springframework.web.socket.server.HandshakeInterceptor;

/**
 * Admits a WebSocket upgrade: the caller was authenticated by the API key filter (the path is
 * under {@code /api/}), and a browser's {@code Origin} must be allowed, else 403.
 */
public final class SocketHandshake implements HandshakeInterceptor {

  static final String CALLER = "agentwatch.caller";

  private final OriginPolicy origins;

  public SocketHandshake(OriginPolicy origins) {
    this.origins = origins;
  }

  @Override
  public boolean beforeHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Map<String, Object> attributes) {
    String origin = request.getHeaders().getFirst(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, request.getHeaders().getFirst(HttpHeaders.HOST))) {
      response.setStatusCode(HttpStatus.FORBIDDEN);
      return false;
    }
    attributes.put(CALLER, CallerResolver.from(((ServletServerHttpRequest) request).getServletRequest()));
    return true;
  }

  @Override
  public void afterHandshake(ServerHttpRequest request, ServerHttpResponse response, WebSocketHandler handler,
      Exception exception) {}
}
