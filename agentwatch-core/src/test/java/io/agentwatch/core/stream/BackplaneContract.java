package io.agentwatch.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Cursor;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Backplane} contract. Each adapter binds it by opening members ("nodes") of a named
 * channel; members of one name hear each other, other names are other channels.
 */
public abstract class BackplaneContract {

  private final List<Backplane> opened = new ArrayList<>();
  private final String channel = "c" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

  /** A new member of {@code channel}. */
  protected abstract Backplane newMember(String channel) throws Exception;

  protected Backplane member(String channelName) throws Exception {
    Backplane b = newMember(channelName);
    opened.add(b);
    return b;
  }

  @AfterEach
  void closeMembers() {
    opened.reversed().forEach(Backplane::close);
  }

  @Test
  void everyMemberHearsEachNoticeOnceInPublishOrder() throws Exception {
    Backplane a = member(channel);
    Backplane b = member(channel);
    List<Cursor> heardByA = new CopyOnWriteArrayList<>();
    List<Cursor> heardByB = new CopyOnWriteArrayList<>();
    a.subscribe(heardByA::add);
    b.subscribe(heardByB::add);
    List<Cursor> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(Cursor.at("store1", i));
    }

    sent.forEach(a::publish);

    awaitSize(heardByB, 50);
    awaitSize(heardByA, 50);
    assertThat(heardByB).containsExactlyElementsOf(sent);
    assertThat(heardByA).containsExactlyElementsOf(sent);
  }

  @Test
  void noticesKeepEveryPositionOfAMultiPartitionCursor() throws Exception {
    Backplane a = member(channel);
    Backplane b = member(channel);
    List<Cursor> heard = new CopyOnWriteArrayList<>();
    b.subscribe(heard::add);
    Cursor c = Cursor.beginning("kafkaStore", 3).advance(0, 41).advance(2, 7);

    a.publish(c);

    awaitSize(heard, 1);
    assertThat(heard.getFirst()).isEqualTo(c);
  }

  @Test
  void aClosedSubscriptionHearsNothingMore() throws Exception {
    Backplane a = member(channel);
    Backplane b = member(channel);
    List<Cursor> stopped = new CopyOnWriteArrayList<>();
    List<Cursor> still = new CopyOnWriteArrayList<>();
    AutoCloseable handle = b.subscribe(stopped::add);
    b.subscribe(still::add);
    a.publish(Cursor.at("store1", 1));
    awaitSize(stopped, 1);

    handle.close();
    a.publish(Cursor.at("store1", 2));

    awaitSize(still, 2);
    assertThat(stopped).containsExactly(Cursor.at("store1", 1));
  }

  @Test
  void anotherChannelHearsNothing() throws Exception {
    Backplane a = member(channel);
    Backplane elsewhere = member(channel + "x");
    Backplane b = member(channel);
    List<Cursor> other = new CopyOnWriteArrayList<>();
    List<Cursor> same = new CopyOnWriteArrayList<>();
    elsewhere.subscribe(other::add);
    b.subscribe(same::add);

    a.publish(Cursor.at("store1", 1));

    awaitSize(same, 1);
    assertThat(other).isEmpty();
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() throws Exception {
    Backplane a = member(channel);
    Backplane b = member(channel);
    List<Cursor> heard = new CopyOnWriteArrayList<>();
    b.subscribe(c -> {
      throw new IllegalStateException("listener bug");
    });
    b.subscribe(heard::add);

    a.publish(Cursor.at("store1", 1));
    a.publish(Cursor.at("store1", 2));

    awaitSize(heard, 2);
  }

  @Test
  void checkPassesWhileConnected() throws Exception {
    member(channel).check();
  }

  protected static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(list).hasSize(size);
  }
}
