package io.agentwatch.client;

/** How a client currently reaches the server. */
public enum Transport {
  /** Not connected yet, or every way failed; events wait in the buffer. */
  NONE,
  /** {@code GET /api/v1/ws}: publish and ack, commands. */
  WEBSOCKET,
  /** {@code POST /api/v1/events} batches, while the WebSocket cannot be opened. */
  HTTP
}
