package io.agentwatch.server.policy;

import io.agentwatch.analytics.TenantAnalytics;
import io.agentwatch.analytics.budget.Budget;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Params;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/budgets}: spending limits on model use (see {@link Budget}), stored as
 * {@code budget.set} / {@code budget.deleted} events so they replay with the log. Writing needs
 * scope {@code admin}; reading needs {@code read}, since the dashboard's viewers see each budget's
 * use as a bar. Every answer lists a budget with {@code usage}: what its subjects spent as of the
 * analytics' event time, the most first.
 */
@RestController
@RequestMapping("/api/v1/budgets")
public class BudgetsController {

  private static final int USAGE = 20;

  private final Definitions definitions;

  public BudgetsController(Definitions definitions) {
    this.definitions = definitions;
  }

  @PostMapping
  ResponseEntity<String> create(Caller caller, @RequestBody(required = false) String body) {
    caller.require(Scope.ADMIN);
    Budget budget;
    try {
      budget = Budget.parse(Definitions.body(body), Definitions.newId("budget"));
    } catch (InvalidDefinitionException e) {
      throw Definitions.invalid(e);
    }
    TenantAnalytics.BudgetState stored = definitions.serialized(caller, () -> {
      if (definitions.read(caller, t -> t.budget(budget.id(), USAGE)) != null) {
        throw Definitions.conflict("budget '" + budget.id() + "' exists; delete it first to set it anew");
      }
      ObjectNode data = EventCodec.JSON.createObjectNode();
      data.set("budget", budget.toJson());
      definitions.append(caller, Budget.SET, data);
      return definitions.read(caller, t -> t.budget(budget.id(), USAGE));
    });
    return json(HttpStatus.CREATED, describe(stored));
  }

  @GetMapping
  ResponseEntity<String> list(Caller caller, @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    int max = Params.limit(limit, USAGE);
    List<TenantAnalytics.BudgetState> all = definitions.current(caller, t -> t.budgets(max));
    return json(HttpStatus.OK, Map.of("budgets", all == null ? List.of()
        : all.stream().map(BudgetsController::describe).toList()));
  }

  @GetMapping("/{id}")
  ResponseEntity<String> one(Caller caller, @PathVariable String id, @RequestParam(required = false) String limit) {
    caller.require(Scope.READ);
    int max = Params.limit(limit, USAGE);
    TenantAnalytics.BudgetState b = definitions.current(caller, t -> t.budget(id, max));
    if (b == null) {
      throw ApiException.notFound("no budget '" + id + "'");
    }
    return json(HttpStatus.OK, describe(b));
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(Caller caller, @PathVariable String id) {
    caller.require(Scope.ADMIN);
    definitions.serialized(caller, () -> {
      if (definitions.read(caller, t -> t.budget(id, 0)) == null) {
        throw ApiException.notFound("no budget '" + id + "'");
      }
      definitions.append(caller, Budget.DELETED, EventCodec.JSON.createObjectNode().put("budgetId", id));
      return null;
    });
    return ResponseEntity.noContent().build();
  }

  private static Map<String, Object> describe(TenantAnalytics.BudgetState b) {
    Map<String, Object> m = new LinkedHashMap<>();
    b.stored().budget().toJson().properties().forEach(f -> m.put(f.getKey(), f.getValue()));
    m.put("title", b.stored().budget().title());
    m.put("setAt", b.stored().at());
    m.put("setBy", b.stored().by());
    m.put("usage", b.usage());
    return m;
  }

  static ResponseEntity<String> json(HttpStatus status, Object body) {
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
        .body(EventCodec.JSON.writeValueAsString(body));
  }
}
