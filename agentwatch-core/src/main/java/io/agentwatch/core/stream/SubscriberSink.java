package io.agentwatch.core.stream;

import io.agentwatch.model.Cursor;
import java.util.List;

/**
 * The transport side of one {@link Subscription}: turns its deliveries into frames on one
 * connection (a WebSocket, an SSE response). Implemented by the server once per transport.
 *
 * <p>Contract: a subscription calls {@link #events}, {@link #gap} and {@link #reset} from one
 * thread at a time, in delivery order, and after {@link #gap} never again. None of the methods
 * may block: a sink hands bytes to a non-blocking connection and counts what it has not yet
 * written. {@link #writable()} says whether it wants more now; a subscription that finds it false
 * keeps its events (or reads them from the log later) and waits for {@link #whenWritable}. Notices
 * ({@code gap}, {@code reset}) are small and are sent whether writable or not.
 */
public interface SubscriberSink {

  /** Whether the connection takes more events now (what it holds unwritten is below its bound). */
  boolean writable();

  /**
   * Runs {@code resume} once, on some thread that is not the caller's, as soon as the sink is
   * writable again (at once when it is writable already).
   */
  void whenWritable(Runnable resume);

  /** Sends events in log order, each with the cursor after it; never empty. */
  void events(List<Delivery.Item> items);

  /** Ends the stream with a resumable notice; nothing follows. */
  void gap(Cursor resumeFrom, GapReason reason);

  /** Tells the subscriber to reload its state and go on from {@code head}. */
  void reset(Cursor head);
}
