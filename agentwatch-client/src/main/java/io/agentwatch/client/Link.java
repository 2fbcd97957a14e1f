package io.agentwatch.client;

import io.agentwatch.client.OutboundBuffer.Entry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One way of handing batches to the server. {@link #publish} blocks until the server answered the
 * batch or the way broke; it never throws for the server's or the network's failures, it says so
 * in its {@link Reply}. Used by one thread at a time.
 */
interface Link {

  Reply publish(List<Entry> batch) throws InterruptedException;

  void close();

  /** The server's answer to a batch. */
  sealed interface Reply {}

  /**
   * The server answered event by event, after making the stored ones durable.
   *
   * @param acked      ids now durable on the server (stored now or already before)
   * @param duplicates how many of them it already had
   * @param rejected   index in the batch → why the server refused that event
   */
  record Settled(Set<String> acked, int duplicates, Map<Integer, String> rejected) implements Reply {}

  /**
   * The server refused the whole batch without looking at its events (overload, auth, size);
   * nothing of it was stored, and it may be sent again.
   */
  record Refused(int status, String message, Duration retryAfter) implements Reply {}

  /** The connection failed; the server may or may not have stored the batch. */
  record Broken(String problem) implements Reply {}
}
