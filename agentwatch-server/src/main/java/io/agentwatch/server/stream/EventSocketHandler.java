package io.agentwatch.server.stream;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.command.AgentChannels;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;
import org.springframework.web.socket.adapter.jetty.JettyWebSocketSession;
import org.springframework.web.socket.handler.TextWebSocketHandler;

/** {@code GET /api/v1/ws}: hands each session's frames to its {@link SocketConnection}. */
public final class EventSocketHandler extends TextWebSocketHandler {

  private static final String CONNECTION = SocketConnection.class.getName();

  private final Ingestor ingestor;
  private final Fanout fanout;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;
  private final Connections connections;
  private final KeyService keys;
  private final AgentChannels agents;
  private final Executor executor = Executors.newVirtualThreadPerTaskExecutor();

  public EventSocketHandler(Ingestor ingestor, Fanout fanout, TenantRateLimits rateLimits, Lifecycle lifecycle,
      Connections connections, KeyService keys, AgentChannels agents) {
    this.ingestor = ingestor;
    this.agents = agents;
    this.keys = keys;
    this.fanout = fanout;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
    this.connections = connections;
  }

  @Override
  public void afterConnectionEstablished(WebSocketSession session) throws IOException {
    Caller caller = (Caller) session.getAttributes().get(SocketHandshake.CALLER);
    SocketOutlet outlet = new SocketOutlet(coreSession(session), executor);
    SocketConnection connection =
        new SocketConnection(session, outlet, caller, ingestor, fanout, rateLimits, lifecycle, agents, executor);
    connections.add(connection, (Connections.Reservation) session.getAttributes().get(SocketHandshake.RESERVATION));
    session.getAttributes().put(CONNECTION, connection);
    if (caller.keyId() != null && !keys.isActive(caller.keyId())) {
      // Revoked between authentication and registration: the revocation missed this connection.
      connection.end(GapReason.REVOKED);
    }
  }

  /** Jetty's own session under Spring's, whose frames take ready-made bytes without a copy. */
  private static CoreSession coreSession(WebSocketSession session) {
    if (session instanceof JettyWebSocketSession jetty
        && jetty.getNativeSession() instanceof org.eclipse.jetty.websocket.common.WebSocketSession nativeSession) {
      return nativeSession.getCoreSession();
    }
    throw new IllegalStateException("the live endpoints need Jetty's WebSocket, but the session is " + session);
  }

  @Override
  protected void handleTextMessage(WebSocketSession session, TextMessage message) {
    SocketConnection connection = connection(session);
    if (connection != null) {
      connection.receive(message.getPayload());
    }
  }

  @Override
  protected void handleBinaryMessage(WebSocketSession session, BinaryMessage message) {
    SocketConnection connection = connection(session);
    if (connection != null) {
      connection.sendError(400, "binary frames are not supported; send JSON text frames", null);
    }
  }

  @Override
  public void handleTransportError(WebSocketSession session, Throwable exception) {
    // The socket is going away; afterConnectionClosed cleans up.
  }

  @Override
  public void afterConnectionClosed(WebSocketSession session, CloseStatus status) {
    SocketConnection connection = connection(session);
    if (connection != null) {
      connection.closed();
      connections.remove(connection);
    } else if (session.getAttributes().get(SocketHandshake.RESERVATION) instanceof Connections.Reservation r) {
      // Closed before it was registered: its place goes back all the same.
      connections.release(r);
    }
  }

  private static SocketConnection connection(WebSocketSession session) {
    return (SocketConnection) session.getAttributes().get(CONNECTION);
  }
}
