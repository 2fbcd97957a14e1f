package io.agentwatch.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.log.PositionStore;
import io.agentwatch.core.log.PositionStoreContract;
import io.agentwatch.model.Cursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePositionStoreTest {

  @TempDir
  Path dir;

  private final List<SqliteDatabase> opened = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    opened.reversed().forEach(SqliteDatabase::close);
  }

  private SqliteDatabase open(Path folder) {
    SqliteDatabase db = SqliteDatabase.open(folder);
    opened.add(db);
    return db;
  }

  @Nested
  class AsPositionStore extends PositionStoreContract {
    @Override
    protected PositionStore newStore() {
      return new SqlitePositionStore(open(dir.resolve("data-" + opened.size())));
    }
  }

  @Test
  void aSavedPositionSurvivesReopeningTheDatabase() {
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      new SqlitePositionStore(db).save("analytics", Cursor.at(db.storeId(), 41));
    }
    try (SqliteDatabase db = SqliteDatabase.open(dir)) {
      assertThat(new SqlitePositionStore(db).load("analytics")).contains(Cursor.at(db.storeId(), 41));
    }
  }
}
