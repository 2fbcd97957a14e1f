package io.agentwatch.server.policy;

import static io.agentwatch.server.policy.BudgetsController.json;

import io.agentwatch.analytics.AnalyticsEngine;
import io.agentwatch.analytics.alert.AlertAction;
import io.agentwatch.analytics.alert.AlertView;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.analytics.policy.Policy;
import io.agentwatch.analytics.policy.PolicyBook;
import io.agentwatch.analytics.policy.PolicyCycles;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /api/v1/policies}: automatic responses to findings (see {@link Policy}), stored as
 * {@code policy.set} / {@code policy.deleted} events so they replay with the log and act from
 * their place in it. Writing needs scope {@code admin}; reading needs {@code read}. A policy that
 * would react to its own commands, alone or with others, is refused ({@link PolicyCycles}), as is
 * one that matches no detector. Each answer carries the policy's {@code version}, {@code state}
 * ({@code active}, or {@code refused} with the reason) and its latest {@code actions}.
 */
@RestController
@RequestMapping("/api/v1/policies")
public class PoliciesController {

  private static final int RECENT_ACTIONS = 20;

  private final Definitions definitions;

  public PoliciesController(Definitions definitions) {
    this.definitions = definitions;
  }

  @PostMapping
  ResponseEntity<String> create(Caller caller, @RequestBody(required = false) String body) {
    caller.require(Scope.ADMIN);
    Policy policy = parse(() -> Policy.parse(Definitions.body(body), Definitions.newId("policy"),
        AnalyticsEngine.DETECTORS));
    Map<String, Object> answer = definitions.serialized(caller, () -> {
      List<Policy> others = definitions.read(caller, t -> t.policies().active());
      if (definitions.read(caller, t -> t.policies().get(policy.id())) != null) {
        throw Definitions.conflict("policy '" + policy.id() + "' exists; change it with PATCH /api/v1/policies/"
            + policy.id());
      }
      parse(() -> {
        PolicyCycles.check(policy, others == null ? List.of() : others);
        return policy;
      });
      return write(caller, policy);
    });
    return json(HttpStatus.CREATED, answer);
  }

  @PatchMapping("/{id}")
  ResponseEntity<String> patch(Caller caller, @PathVariable String id, @RequestBody(required = false) String body) {
    caller.require(Scope.ADMIN);
    var patch = Definitions.body(body);
    Map<String, Object> answer = definitions.serialized(caller, () -> {
      PolicyBook.Stored stored = definitions.read(caller, t -> t.policies().get(id));
      if (stored == null) {
        throw ApiException.notFound("no policy '" + id + "'");
      }
      Policy changed = parse(() -> stored.policy().patched(patch, AnalyticsEngine.DETECTORS));
      List<Policy> others = definitions.read(caller, t -> t.policies().active());
      parse(() -> {
        PolicyCycles.check(changed, others);
        return changed;
      });
      return write(caller, changed);
    });
    return json(HttpStatus.OK, answer);
  }

  @GetMapping
  ResponseEntity<String> list(Caller caller) {
    caller.require(Scope.READ);
    List<Map<String, Object>> all = definitions.current(caller, t -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (PolicyBook.Stored s : t.policies().all()) {
        out.add(describe(s, actions(t.allAlerts(), s.policy().id())));
      }
      return out;
    });
    return json(HttpStatus.OK, Map.of("policies", all == null ? List.of() : all));
  }

  @GetMapping("/{id}")
  ResponseEntity<String> one(Caller caller, @PathVariable String id) {
    caller.require(Scope.READ);
    Map<String, Object> p = definitions.current(caller, t -> {
      PolicyBook.Stored s = t.policies().get(id);
      return s == null ? null : describe(s, actions(t.allAlerts(), id));
    });
    if (p == null) {
      throw ApiException.notFound("no policy '" + id + "'");
    }
    return json(HttpStatus.OK, p);
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(Caller caller, @PathVariable String id) {
    caller.require(Scope.ADMIN);
    definitions.serialized(caller, () -> {
      if (definitions.read(caller, t -> t.policies().get(id)) == null) {
        throw ApiException.notFound("no policy '" + id + "'");
      }
      definitions.append(caller, Policy.DELETED, EventCodec.JSON.createObjectNode().put("policyId", id));
      return null;
    });
    return ResponseEntity.noContent().build();
  }

  private Map<String, Object> write(Caller caller, Policy policy) {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    data.set("policy", policy.toJson());
    definitions.append(caller, Policy.SET, data);
    return definitions.read(caller, t -> describe(t.policies().get(policy.id()), List.of()));
  }

  /** The latest actions of a policy over the tenant's alerts, newest first. */
  private static List<AlertAction> actions(List<AlertView> alerts, String policyId) {
    List<AlertAction> out = new ArrayList<>();
    for (AlertView a : alerts) {
      for (AlertAction x : a.actions()) {
        if (policyId.equals(x.policyId())) {
          out.add(x);
        }
      }
    }
    out.sort(Comparator.comparing(AlertAction::at).reversed());
    return out.size() > RECENT_ACTIONS ? out.subList(0, RECENT_ACTIONS) : out;
  }

  private static Map<String, Object> describe(PolicyBook.Stored s, List<AlertAction> actions) {
    Map<String, Object> m = new LinkedHashMap<>();
    s.policy().toJson().properties().forEach(f -> m.put(f.getKey(), f.getValue()));
    m.put("title", s.policy().title());
    m.put("version", s.version());
    m.put("setAt", s.at());
    m.put("setBy", s.by());
    m.put("state", s.refused() == null ? "active" : "refused");
    if (s.refused() != null) {
      m.put("refused", s.refused());
    }
    m.put("actions", actions);
    return m;
  }

  private static Policy parse(java.util.function.Supplier<Policy> parse) {
    try {
      return parse.get();
    } catch (InvalidDefinitionException e) {
      throw Definitions.invalid(e);
    }
  }
}
