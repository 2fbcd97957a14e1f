package io.agentwatch.server.query;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.stream.StreamRequests;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.io.IOException;
import java.io.Writer;
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
      query = new EventQuery(StreamRequests.filter(runId, agentId, type), Params.instant("from", from),
          Params.instant("to", to), StreamRequests.cursor(after), Params.limit(limit, DEFAULT_LIMIT));
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
}
