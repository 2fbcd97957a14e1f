package io.agentwatch.core.auth;

import java.time.Instant;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A key's record as stored: never the key itself, only its hash.
 *
 * @param id       public identifier, also embedded in the key text
 * @param tenant   the one tenant the key acts for
 * @param name     a label chosen by whoever created it
 * @param scopes   what it may do
 * @param hash     SHA-256 of the key text, hex
 * @param created  when it was issued
 * @param lastUsed when it last authenticated a request, or null
 * @param revoked  when it was revoked, or null
 */
public record ApiKey(
    String id, String tenant, String name, Set<Scope> scopes, String hash, Instant created, Instant lastUsed,
    Instant revoked) {

  private static final Pattern TENANT = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  public ApiKey {
    requireTenant(tenant);
    scopes = Set.copyOf(scopes);
    if (scopes.isEmpty()) {
      throw new IllegalArgumentException("scopes must not be empty");
    }
  }

  /** Tenants are 1-63 characters of a-z 0-9 _ - starting with a letter or digit. */
  public static String requireTenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new IllegalArgumentException(
          "tenant must be 1-63 characters of a-z 0-9 _ - starting with a letter or digit but was '" + tenant + "'");
    }
    return tenant;
  }

  public boolean has(Scope scope) {
    return scopes.contains(scope);
  }

  public boolean isRevoked() {
    return revoked != null;
  }
}
