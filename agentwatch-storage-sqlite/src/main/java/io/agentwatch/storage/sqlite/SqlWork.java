package io.agentwatch.storage.sqlite;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one connection of {@link SqliteDatabase}. */
@FunctionalInterface
interface SqlWork<T> {

  T run(Connection connection) throws SQLException;
}
