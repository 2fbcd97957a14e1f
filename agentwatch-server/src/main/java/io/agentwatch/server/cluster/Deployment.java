package io.agentwatch.server.cluster;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which backends hold the log and the store ({@code agentwatch.log}, {@code agentwatch.store}).
 * Absent means the embedded deployment: SQLite for both. The configurations of each backend are
 * selected with {@code @ConditionalOnProperty} on these two keys; this record validates them.
 *
 * @param log   {@code embedded}: the store's own log (SQLite's, or PostgreSQL's shared by every
 *              node); {@code kafka}: a Kafka topic
 * @param store {@code sqlite}: one node's file; {@code postgres}: shared by every node
 */
@ConfigurationProperties("agentwatch")
public record Deployment(Log log, Store store) {

  public enum Log { EMBEDDED, KAFKA }

  public enum Store { SQLITE, POSTGRES }

  public Deployment {
    log = log == null ? Log.EMBEDDED : log;
    store = store == null ? Store.SQLITE : store;
    if (log == Log.KAFKA && store != Store.POSTGRES) {
      throw new IllegalArgumentException("agentwatch.log=kafka needs agentwatch.store=postgres (events read from"
          + " Kafka are kept in PostgreSQL) but the store was " + store.name().toLowerCase());
    }
  }
}
