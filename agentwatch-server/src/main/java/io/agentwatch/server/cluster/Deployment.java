package io.agentwatch.server.cluster;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Which backends hold the log and the store ({@code agentwatch.log}, {@code agentwatch.store}),
 * and how the nodes of a PostgreSQL log hear each other ({@code agentwatch.backplane}). Absent
 * means the embedded deployment: SQLite for both. The configurations of each backend are selected
 * with conditions on these keys; this record validates them.
 *
 * @param log       {@code embedded}: the store's own log (SQLite's, or PostgreSQL's shared by
 *                  every node); {@code kafka}: a Kafka topic
 * @param store     {@code sqlite}: one node's file; {@code postgres}: shared by every node
 * @param backplane {@code redis}: Redis Pub/Sub when {@code agentwatch.redis-url} is set;
 *                  {@code notify}: PostgreSQL's {@code LISTEN/NOTIFY} always
 */
@ConfigurationProperties("agentwatch")
public record Deployment(Log log, Store store, Backplane backplane) {

  public enum Log { EMBEDDED, KAFKA }

  public enum Store { SQLITE, POSTGRES }

  public enum Backplane { REDIS, NOTIFY }

  public Deployment {
    log = log == null ? Log.EMBEDDED : log;
    store = store == null ? Store.SQLITE : store;
    backplane = backplane == null ? Backplane.REDIS : backplane;
    if (log == Log.KAFKA && store != Store.POSTGRES) {
      throw new IllegalArgumentException("agentwatch.log=kafka needs agentwatch.store=postgres (events read from"
          + " Kafka are kept in PostgreSQL) but the store was " + store.name().toLowerCase());
    }
  }
}
