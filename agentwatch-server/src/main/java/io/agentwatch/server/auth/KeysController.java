package io.agentwatch.server.auth;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.web.ApiException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/v1/keys}: an {@code admin} manages the keys of its own tenant; an
 * {@code operator} those of any tenant. A key never grants more than its creator holds, and
 * another tenant's key is reported as not found rather than forbidden, so ids reveal nothing.
 */
@RestController
@RequestMapping("/api/v1/keys")
public class KeysController {

  private final KeyService keys;

  public KeysController(KeyService keys) {
    this.keys = keys;
  }

  /** The body of {@code POST /api/v1/keys}. */
  public record NewKey(String tenant, List<String> scopes, String name) {}

  @PostMapping
  ResponseEntity<Map<String, Object>> create(Caller caller, @RequestBody(required = false) NewKey body) {
    requireManager(caller);
    if (body == null) {
      throw ApiException.badRequest("body must be {\"tenant\":…,\"scopes\":[…],\"name\":…}");
    }
    String tenant = body.tenant() == null ? caller.tenant() : body.tenant();
    try {
      ApiKey.requireTenant(tenant);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    if (!caller.has(Scope.OPERATOR) && !tenant.equals(caller.tenant())) {
      throw ApiException.forbidden("only an operator key may create keys for another tenant");
    }
    Set<Scope> scopes = parseScopes(body.scopes());
    for (Scope s : scopes) {
      if (!caller.has(s)) {
        throw ApiException.forbidden("a key cannot grant the '" + s.label() + "' scope it does not hold");
      }
    }
    if (body.name() != null && body.name().length() > 100) {
      throw ApiException.badRequest("name must be at most 100 characters");
    }
    KeyService.IssuedKey issued = keys.issue(tenant, body.name(), scopes);
    Map<String, Object> answer = describe(issued.record());
    answer.put("key", issued.key());
    return ResponseEntity.status(HttpStatus.CREATED).body(answer);
  }

  @GetMapping
  Map<String, Object> list(Caller caller, @RequestParam(required = false) String tenant) {
    requireManager(caller);
    String which = caller.has(Scope.OPERATOR) ? tenant : caller.tenant();
    return Map.of("keys", keys.list(which).stream().map(KeysController::describe).toList());
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> revoke(Caller caller, @PathVariable String id) {
    requireManager(caller);
    ApiKey key = keys.find(id)
        .filter(k -> caller.has(Scope.OPERATOR) || k.tenant().equals(caller.tenant()))
        .orElseThrow(() -> ApiException.notFound("no key with id '" + id + "'"));
    if (!caller.has(Scope.OPERATOR) && !caller.scopes().containsAll(key.scopes())) {
      throw ApiException.forbidden("a key cannot revoke a key that holds scopes it does not hold");
    }
    keys.revoke(key.id());
    return ResponseEntity.noContent().build();
  }

  private static void requireManager(Caller caller) {
    if (!caller.has(Scope.ADMIN) && !caller.has(Scope.OPERATOR)) {
      throw ApiException.forbidden("managing keys needs the 'admin' or 'operator' scope");
    }
  }

  private static Set<Scope> parseScopes(List<String> labels) {
    if (labels == null || labels.isEmpty()) {
      throw ApiException.badRequest("scopes must list at least one of ingest, read, admin, operator");
    }
    EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String label : labels) {
      try {
        scopes.add(Scope.of(label));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(e.getMessage());
      }
    }
    return scopes;
  }

  private static Map<String, Object> describe(ApiKey key) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", key.id());
    out.put("tenant", key.tenant());
    out.put("name", key.name());
    out.put("scopes", key.scopes().stream().sorted().map(Scope::label).toList());
    out.put("created", key.created().toString());
    out.put("lastUsed", text(key.lastUsed()));
    out.put("revoked", text(key.revoked()));
    return out;
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
