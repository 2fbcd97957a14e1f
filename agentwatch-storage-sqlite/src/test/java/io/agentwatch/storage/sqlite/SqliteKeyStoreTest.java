package io.agentwatch.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.auth.ApiKey;
import io.agentwatch.core.auth.KeyStore;
import io.agentwatch.core.auth.KeyStoreContract;
import io.agentwatch.core.auth.Scope;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key store contract on SQLite, and what only a file can show: keys survive a reopen. */
class SqliteKeyStoreTest extends KeyStoreContract {

  @TempDir
  Path dir;

  private SqliteDatabase db;

  @Override
  protected KeyStore newStore() {
    db = SqliteDatabase.open(dir);
    return new SqliteKeyStore(db);
  }

  @Override
  protected void closeStore() {
    db.close();
  }

  @Test
  void keysSurviveAReopen() {
    ApiKey added = key("k1", "acme", T0, Scope.ADMIN, Scope.INGEST);
    keys.add(added);
    db.close();

    db = SqliteDatabase.open(dir);
    assertThat(new SqliteKeyStore(db).find("k1")).contains(added);
  }
}
