package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import java.util.function.Consumer;

/**
 * Tells every node of a deployment that a shared log grew, for logs whose nodes would otherwise
 * hear only their own appends (a database shared by several servers without a notification
 * channel of its own, e.g. behind a pooler that drops {@code LISTEN}). A notice is the cursor of
 * the last event appended; the log's followers turn notices into reads of the log (as
 * {@code PostgresEventLog} does), so the log stays the only source of events and their order.
 *
 * <p>Contract (checked by {@code BackplaneContract}): a notice published by any member reaches
 * every listener subscribed on the channel at that time, the publisher's own included, at most
 * once and in publish order per publisher. Delivery is best effort: a notice published while a
 * member is disconnected is lost, so readers must not depend on it for completeness. Listeners run
 * on a thread that is not the publisher's and must not block. Thread-safe.
 */
public interface Backplane extends AutoCloseable {

  /** Announces that the log of {@code cursor}'s store holds events up to {@code cursor}; never blocks long. */
  void publish(Cursor cursor);

  /** Hears every later notice of the channel until the returned handle is closed. */
  AutoCloseable subscribe(Consumer<Cursor> listener);

  /** Throws when notices cannot travel now (used by health checks); does nothing when they can. */
  void check();

  @Override
  void close();
}
