package io.agentwatch.storage.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on one connection, inside or outside a transaction. */
@FunctionalInterface
interface SqlWork<T> {
  T run(Connection c) throws SQLException;
}
