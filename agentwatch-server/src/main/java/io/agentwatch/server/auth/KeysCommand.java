package io.agentwatch.server.auth;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code java -jar agentwatch.jar keys create --operator [--name <name>]}: the way back in when every
 * admin key is lost. Works offline on the configured store (the SQLite file under
 * {@code AGENTWATCH_DATA_DIR}, or PostgreSQL with {@code AGENTWATCH_STORE=postgres}), so whoever
 * may read the data folder or the database may make a key; nobody else can. The new key belongs to
 * tenant {@code default} with every scope, {@code operator} included, and is printed once (only
 * its hash is stored). Run it while the server is stopped, or restart the server after: a running
 * server may have cached the answer that the key is unknown for a few seconds.
 */
public final class KeysCommand {

  static final String USAGE = """
      usage: java -jar agentwatch.jar keys create --operator [--name <name>] [--agentwatch.<setting>=…]
        Makes a new key of tenant 'default' with every scope (operator included) in the configured
        store, for when the admin key is lost. The store is chosen as the server chooses it
        (AGENTWATCH_DATA_DIR, AGENTWATCH_STORE=postgres with AGENTWATCH_POSTGRES_*).""";

  private KeysCommand() {}

  /** Runs the command; answers the process exit code (0 done, 2 bad usage). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> springArgs = new ArrayList<>();
    boolean create = false;
    boolean operator = false;
    String name = "recovered operator key";
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (i == 0 && arg.equals("create")) {
        create = true;
      } else if (arg.equals("--operator")) {
        operator = true;
      } else if (arg.equals("--name") && i + 1 < args.length) {
        name = args[++i];
      } else if (arg.startsWith("--name=")) {
        name = arg.substring("--name=".length());
      } else if (arg.startsWith("--") && arg.contains("=")) {
        springArgs.add(arg);
      } else {
        err.println("agentwatch keys: unknown argument '" + arg + "'");
        err.println(USAGE);
        return 2;
      }
    }
    if (!create || !operator) {
      err.println(USAGE);
      return 2;
    }
    springArgs.add("--agentwatch.demo=false");
    try (ConfigurableApplicationContext context = new SpringApplicationBuilder(OfflineKeyStore.class)
        .web(WebApplicationType.NONE)
        .bannerMode(Banner.Mode.OFF)
        .logStartupInfo(false)
        .run(springArgs.toArray(String[]::new))) {
      OfflineKeyStore.Opened opened = context.getBean(OfflineKeyStore.Opened.class);
      KeyService.IssuedKey issued = new KeyService(opened.store(), Clock.systemUTC())
          .issue(Caller.DEFAULT_TENANT, name, EnumSet.allOf(Scope.class));
      out.println("""

          ================================================================================
           New operator key of tenant '%s', every scope (shown only this once):

             %s

           Stored (as a hash) in %s, key id %s.
           Start the server and use it as 'Authorization: Bearer <key>'. List keys with
           GET /api/v1/keys and revoke a lost one with DELETE /api/v1/keys/{id}.
          ================================================================================
          """.formatted(Caller.DEFAULT_TENANT, issued.key(), opened.where(), issued.record().id()));
      return 0;
    }
  }
}
