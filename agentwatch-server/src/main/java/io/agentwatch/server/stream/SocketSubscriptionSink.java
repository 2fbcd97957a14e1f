package io.agentwatch.server.stream;

import io.agentwatch.core.stream.Delivery;
import io.agentwatch.core.stream.GapReason;
import io.agentwatch.core.stream.SubscriberSink;
import io.agentwatch.model.Cursor;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;

/**
 * One WebSocket subscription's deliveries as frames on its connection's {@link SocketOutlet}:
 * one {@code event} frame per event, or, with {@code "batch":true}, {@code events} frames holding
 * as many as are ready. The frames of one hand-over leave in one write.
 */
final class SocketSubscriptionSink implements SubscriberSink {

  private final SocketFrames frames;
  private final SocketOutlet outlet;
  private final boolean batch;
  private final Consumer<GapReason> onGap;

  /** @param onGap runs after the gap notice went out (the subscription is over) */
  SocketSubscriptionSink(String subscriptionId, SocketOutlet outlet, boolean batch, Consumer<GapReason> onGap) {
    this.frames = new SocketFrames(subscriptionId);
    this.outlet = outlet;
    this.batch = batch;
    this.onGap = onGap;
  }

  @Override
  public boolean writable() {
    return outlet.writable();
  }

  @Override
  public void whenWritable(Runnable resume) {
    outlet.whenWritable(resume);
  }

  @Override
  public void events(List<Delivery.Item> items) {
    if (batch) {
      List<ByteBuffer> out = frames.events(items);
      for (int i = 0; i < out.size(); i++) {
        outlet.send(out.get(i), i < out.size() - 1);
      }
    } else {
      for (int i = 0; i < items.size(); i++) {
        outlet.send(frames.event(items.get(i)), i < items.size() - 1);
      }
    }
  }

  @Override
  public void gap(Cursor resumeFrom, GapReason reason) {
    outlet.send(frames.gap(resumeFrom, reason), false);
    onGap.accept(reason);
  }

  @Override
  public void reset(Cursor head) {
    outlet.send(frames.reset(head), false);
  }
}
