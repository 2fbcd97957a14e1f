package io.agentwatch.server.query;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.stream.StreamRequests;
import io.agentwatch.server.web.ApiException;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/events}: stored events in log order with filters and cursor pagination. The
 * events are written as stored, without parsing them again. A cursor of another store gets 410
 * with {@code resumeFrom}, the current head.
 */
@RestController
public class EventsController {

  private static final int DEFAULT_LIMIT = 100;

  private final EventStore store;

  public EventsController(EventStore store) {
    this.store = store;
  }

  @GetMapping("/api/v1/events")
  void events(Caller caller, HttpServletResponse response,
      @RequestParam(required = false) String runId,
      @RequestParam(required = false) String agentId,
      @RequestParam(required = false) List<String> type,
      @RequestParam(required = false) String from,
      @RequestParam(required = false) String to,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) String limit) throws IOException {
    caller.require(Scope.READ);
    EventQuery query;
    try {
      query = new EventQuery(StreamRequests.filter(runId, agentId, type), instant("from", from), instant("to", to),
          StreamRequests.cursor(after), limit(limit));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    EventPage page = store.query(caller.tenant(), query);
    response.setContentType("application/json");
    response.setCharacterEncoding("UTF-8");
    Writer out = response.getWriter();
    out.write("{\"events\":[");
    for (int i = 0; i < page.events().size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(page.events().get(i).json());
    }
    out.write("],\"next\":");
    out.write(page.next() == null ? "null" : "\"" + page.next() + "\"");
    out.write('}');
  }

  static int limit(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text.trim());
      if (limit < 1 || limit > EventQuery.MAX_LIMIT) {
        throw ApiException.badRequest("limit must be 1.." + EventQuery.MAX_LIMIT + " but was " + limit);
      }
      return limit;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("limit must be a whole number but was '" + text + "'");
    }
  }

  static Instant instant(String name, String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be an RFC 3339 timestamp like 2026-11-28T16:00:00Z but was '"
          + text + "'");
    }
  }
}
