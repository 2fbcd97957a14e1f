package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;

/** What a {@link Subscription} hands to its transport next. */
public sealed interface Delivery {

  /**
   * An event, with the cursor to resume after it (the subscription's position once this event is
   * delivered).
   */
  record Item(StoredEvent event, Cursor cursor) implements Delivery {}

  /**
   * The subscription ended before delivering everything; a new subscription from
   * {@code resumeFrom} continues without a hole. {@code reason} is {@code slow} (the subscriber
   * fell behind), {@code shutdown} (the server is stopping) or {@code revoked} (the key was
   * revoked).
   */
  record Gap(Cursor resumeFrom, String reason) implements Delivery {}

  /**
   * The subscriber's cursor came from another store (for example a wiped data folder): reload
   * state and continue from {@code head}; the subscription goes on live from there.
   */
  record Reset(Cursor head) implements Delivery {}
}
