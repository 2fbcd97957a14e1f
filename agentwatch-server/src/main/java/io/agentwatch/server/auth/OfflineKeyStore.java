package io.agentwatch.server.auth;

import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.server.cluster.PostgresProperties;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.storage.postgres.PostgresDatabase;
import io.agentwatch.storage.postgres.PostgresKeyStore;
import io.agentwatch.storage.sqlite.SqliteDatabase;
import io.agentwatch.storage.sqlite.SqliteKeyStore;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Just the key store of the configured deployment ({@code agentwatch.store=sqlite|postgres}), bound
 * from the same settings as the server, for {@link KeysCommand}: no log, no folds, no web server.
 * Deliberately not a {@code @Configuration}, so the server's component scan never picks it up.
 */
@EnableConfigurationProperties({AgentwatchProperties.class, PostgresProperties.class})
class OfflineKeyStore {

  /** Where the key is stored, said back to the operator. */
  record Opened(KeyStore store, String where, AutoCloseable database) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      database.close();
    }
  }

  @Bean(destroyMethod = "close")
  Opened keyStore(Environment environment, AgentwatchProperties properties, PostgresProperties postgres) {
    if ("postgres".equals(environment.getProperty("agentwatch.store", "sqlite"))) {
      PostgresDatabase db = PostgresDatabase.openForAdministration(postgres.toConfig());
      return new Opened(new PostgresKeyStore(db), "PostgreSQL " + postgres.url() + " (schema " + postgres.schema() + ")",
          db);
    }
    SqliteDatabase db = SqliteDatabase.open(properties.dataDir());
    return new Opened(new SqliteKeyStore(db), properties.dataDir().toAbsolutePath().resolve(SqliteDatabase.FILE_NAME)
        .toString(), db);
  }
}
