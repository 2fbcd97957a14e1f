package io.agentwatch.server.auth;

import io.agentwatch.core.auth.StreamTickets;
import io.agentwatch.server.web.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/stream-tickets}: trades the caller's key (sent in the header) for a ticket that
 * opens one WebSocket or SSE stream as {@code ?access_token=<ticket>} within 30 seconds, so a
 * browser never puts the key itself in a URL. With auth off there is nothing to trade: the answer
 * carries {@code "ticket": null}.
 */
@RestController
public class StreamTicketsController {

  private final StreamTickets tickets;

  public StreamTicketsController(StreamTickets tickets) {
    this.tickets = tickets;
  }

  @PostMapping("/api/v1/stream-tickets")
  ResponseEntity<Map<String, Object>> issue(Caller caller) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (caller.keyId() == null) {
      body.put("ticket", null);
      return ResponseEntity.ok(body);
    }
    StreamTickets.Ticket ticket;
    try {
      ticket = tickets.issue(caller.keyId());
    } catch (IllegalStateException e) {
      throw ApiException.unavailable(e.getMessage());
    }
    body.put("ticket", ticket.token());
    body.put("expiresAt", ticket.expiresAt().toString());
    body.put("expiresInSeconds", StreamTickets.LIFETIME.toSeconds());
    return ResponseEntity.status(HttpStatus.CREATED).body(body);
  }
}
