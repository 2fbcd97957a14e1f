package io.agentwatch.server.auth;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.config.AgentwatchProperties;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an empty store its first key: {@code AGENTWATCH_ADMIN_KEY} when set, else a generated one
 * printed once. Only the hash is stored, so the printed key cannot be shown again.
 */
public final class FirstKey {

  private static final Logger LOG = LoggerFactory.getLogger(FirstKey.class);

  private FirstKey() {}

  public static void ensure(KeyService keys, AgentwatchProperties properties) {
    if (!keys.noKeysYet()) {
      return;
    }
    EnumSet<Scope> all = EnumSet.allOf(Scope.class);
    if (properties.adminKey() != null) {
      try {
        keys.adopt(properties.adminKey(), Caller.DEFAULT_TENANT, "admin", all);
        LOG.info("First admin key registered from AGENTWATCH_ADMIN_KEY");
      } catch (IllegalStateException e) {
        // Nodes of a cluster starting together on an empty store: another one registered it first.
        if (keys.authenticate(properties.adminKey()).isEmpty()) {
          throw e;
        }
      }
      return;
    }
    String key = keys.issue(Caller.DEFAULT_TENANT, "admin", all).key();
    String banner = """

        ================================================================================
         Agentwatch admin key (shown only this once; only its hash is stored):

           %s

         Use it as 'Authorization: Bearer <key>'. Create narrower keys with POST /api/v1/keys.
        ================================================================================
        """.formatted(key);
    System.out.println(banner);
  }
}
