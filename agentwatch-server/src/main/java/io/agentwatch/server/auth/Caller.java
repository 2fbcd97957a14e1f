package io.agentwatch.server.auth;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.web.ApiException;
import java.util.EnumSet;
import java.util.Set;

/**
 * Who is calling: the tenant every read and write is confined to, and what the key may do.
 *
 * @param keyId  the key used, or null when auth is off
 * @param tenant the one tenant this caller acts for
 * @param scopes what the caller may do
 */
public record Caller(String keyId, String tenant, Set<Scope> scopes) {

  static final String ATTRIBUTE = Caller.class.getName();
  public static final String DEFAULT_TENANT = "default";

  public Caller {
    scopes = Set.copyOf(scopes);
  }

  static Caller of(ApiKey key) {
    return new Caller(key.id(), key.tenant(), key.scopes());
  }

  /** The caller when auth is off: the default tenant with every scope. */
  static Caller anonymousAdmin() {
    return new Caller(null, DEFAULT_TENANT, EnumSet.allOf(Scope.class));
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }

  /** @throws ApiException 403 when the caller lacks {@code scope} */
  public Caller require(Scope scope) {
    if (!has(scope)) {
      throw ApiException.forbidden("this key lacks the '" + scope.label() + "' scope");
    }
    return this;
  }
}
