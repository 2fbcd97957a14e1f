package io.agentwatch.server.auth;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.config.AgentwatchProperties;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an empty store its first key: {@code AGENTWATCH_ADMIN_KEY} when set, else a generated one
 * printed once. Only the hash is stored, so the printed key cannot be shown again. Says at start,
 * once, when {@code AGENTWATCH_ADMIN_KEY} is ignored (the store has keys already), and loudly when
 * authentication is off.
 */
public final class FirstKey {

  private static final Logger LOG = LoggerFactory.getLogger(FirstKey.class);

  private FirstKey() {}

  public static void ensure(KeyService keys, AgentwatchProperties properties) {
    if (!properties.auth()) {
      LOG.warn("""

          ********************************************************************************
           AUTHENTICATION IS OFF (AGENTWATCH_AUTH=false): anyone who can reach this port may
           read every event, send events and command every agent, with no key at all.
           For local demos only. Remove AGENTWATCH_AUTH=false to require keys.
          ********************************************************************************""");
    }
    if (!keys.noKeysYet()) {
      warnIfAdminKeyIgnored(keys, properties);
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
         Lost it? Stop the server and run: java -jar agentwatch.jar keys create --operator
        ================================================================================
        """.formatted(key);
    System.out.println(banner);
  }

  /**
   * {@code AGENTWATCH_ADMIN_KEY} only seeds an empty store. Set on a store that has keys and not one
   * of them, it does nothing, and its holder would get 401 with no clue why: say so once, at start.
   */
  private static void warnIfAdminKeyIgnored(KeyService keys, AgentwatchProperties properties) {
    if (properties.adminKey() == null || keys.authenticate(properties.adminKey()).isPresent()) {
      return;
    }
    LOG.warn("AGENTWATCH_ADMIN_KEY is ignored: it only becomes the first key of an empty store, and this store"
        + " already has keys (the key given is not one of them, or was revoked), so requests with it get 401."
        + " A lost admin key is replaced offline with: java -jar agentwatch.jar keys create --operator");
  }
}
