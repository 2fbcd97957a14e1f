package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import io.agentwatch.model.StoredEvent;

/** What a {@link Subscription} hands to its {@link SubscriberSink}. */
public sealed interface Delivery {

  /**
   * An event, with the cursor to resume after it: the subscription's position once this event is
   * delivered. For a live event this is nearly always the event's own cursor object, whose text is
   * made once for every subscriber.
   */
  record Item(StoredEvent event, Cursor cursor) implements Delivery {}

  /** The subscription ended before delivering everything; resuming from {@code resumeFrom} leaves no hole. */
  record Gap(Cursor resumeFrom, GapReason reason) implements Delivery {}

  /**
   * The subscriber's cursor came from another store (for example a wiped data folder): reload
   * state and continue from {@code head}; the subscription goes on live from there.
   */
  record Reset(Cursor head) implements Delivery {}
}
