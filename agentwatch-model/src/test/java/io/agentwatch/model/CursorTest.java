package io.agentwatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

  private static long seed() {
    return Long.getLong("agentwatch.seed", System.nanoTime());
  }

  @Test
  void theTextFormRoundTrips() {
    Cursor c = Cursor.at("store1", 41);

    assertThat(c.toString()).isEqualTo("aw1.store1.16");
    assertThat(Cursor.parse(c.toString())).isEqualTo(c).hasSameHashCodeAs(c);
    assertThat(Cursor.parse("aw1.store1.16").position(0)).isEqualTo(41);
  }

  @Test
  void theBeginningCoversNothing() {
    Cursor b = Cursor.beginning("s", 3);

    assertThat(b.toString()).isEqualTo("aw1.s.0-0-0");
    assertThat(b.partitions()).isEqualTo(3);
    assertThat(b.covers(0, 0)).isFalse();
    assertThat(b.covers(2, 0)).isFalse();
    assertThat(Cursor.parse(b.toString())).isEqualTo(b);
    assertThat(Cursor.at("s", -1)).isEqualTo(Cursor.beginning("s", 1));
  }

  @Test
  void multiPartitionCursorsRoundTrip() {
    Cursor c = Cursor.beginning("kafka01", 4).advance(0, 10).advance(2, 123_456_789_012L).advance(3, 0);

    assertThat(c.toString()).isEqualTo("aw1.kafka01." + Long.toString(11, 36) + "-0-"
        + Long.toString(123_456_789_013L, 36) + "-1");
    assertThat(Cursor.parse(c.toString())).isEqualTo(c);
    assertThat(c.position(1)).isEqualTo(-1);
    assertThat(c.position(2)).isEqualTo(123_456_789_012L);
  }

  @Test
  void randomCursorsRoundTripThroughText() {
    long seed = seed();
    Random random = new Random(seed);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (int i = 0; i < 200; i++) {
      StringBuilder store = new StringBuilder();
      for (int k = 1 + random.nextInt(32); k > 0; k--) {
        store.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      int partitions = 1 + random.nextInt(random.nextBoolean() ? 3 : 300);
      Cursor c = Cursor.beginning(store.toString(), partitions);
      for (int p = 0; p < partitions; p++) {
        long offset = switch (random.nextInt(4)) {
          case 0 -> -1;
          case 1 -> random.nextInt(1000);
          case 2 -> Long.MAX_VALUE - 1 - random.nextInt(3);
          default -> random.nextLong(Long.MAX_VALUE);
        };
        c = c.advance(p, offset);
      }
      Cursor parsed = Cursor.parse(c.toString());
      assertThat(parsed).as("seed=%d cursor=%s", seed, c).isEqualTo(c);
      assertThat(parsed.toString()).as("seed=%d", seed).isEqualTo(c.toString());
      assertThat(parsed.coversAll(c) && c.coversAll(parsed)).as("seed=%d", seed).isTrue();
    }
  }

  @Test
  void advanceMovesForwardOnlyAndGrowsPartitions() {
    Cursor c = Cursor.at("s", 5);

    assertThat(c.advance(0, 3)).isSameAs(c);
    assertThat(c.advance(0, 5)).isSameAs(c);
    assertThat(c.advance(0, 6).position(0)).isEqualTo(6);
    Cursor grown = c.advance(3, 2);
    assertThat(grown.partitions()).isEqualTo(4);
    assertThat(grown.position(0)).isEqualTo(5);
    assertThat(grown.position(1)).isEqualTo(-1);
    assertThat(grown.position(2)).isEqualTo(-1);
    assertThat(grown.position(3)).isEqualTo(2);
    assertThat(c.position(0)).as("cursors are immutable").isEqualTo(5);
  }

  @Test
  void coversIsPerPartition() {
    Cursor c = Cursor.beginning("s", 2).advance(0, 10).advance(1, 3);

    assertThat(c.covers(0, 10)).isTrue();
    assertThat(c.covers(0, 11)).isFalse();
    assertThat(c.covers(1, 3)).isTrue();
    assertThat(c.covers(1, 4)).isFalse();
    assertThat(c.covers(7, 0)).as("a partition the cursor has not seen").isFalse();
  }

  @Test
  void coversAllComparesEveryPartition() {
    Cursor a = Cursor.beginning("s", 2).advance(0, 10).advance(1, 3);
    Cursor b = Cursor.beginning("s", 2).advance(0, 4).advance(1, 3);
    Cursor c = Cursor.beginning("s", 2).advance(0, 4).advance(1, 9);

    assertThat(a.coversAll(b)).isTrue();
    assertThat(b.coversAll(a)).isFalse();
    assertThat(a.coversAll(c)).isFalse();
    assertThat(c.coversAll(a)).isFalse();
    assertThat(a.coversAll(a)).isTrue();
    assertThat(Cursor.at("s", 10).coversAll(a)).as("partition 1 uncovered").isFalse();
    assertThat(a.coversAll(Cursor.at("s", 9))).isTrue();
    assertThat(Cursor.at("s", 3).coversAll(Cursor.beginning("s", 5))).isTrue();
  }

  @Test
  void badArgumentsAreRefusedWithTheValue() {
    assertThatThrownBy(() -> Cursor.at("s", -2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-2");
    assertThatThrownBy(() -> Cursor.at("bad-id", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad-id");
    assertThatThrownBy(() -> Cursor.at("x".repeat(33), 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursor.at(null, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cursor.beginning("s", 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0");
    assertThatThrownBy(() -> Cursor.beginning("s", 4097)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theLargestOffsetIsOneThatStillHasATextForm() {
    Cursor last = Cursor.at("s", Long.MAX_VALUE - 1);
    assertThat(Cursor.parse(last.toString())).isEqualTo(last);

    assertThatThrownBy(() -> Cursor.at("s", Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> last.advance(0, Long.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {
      "aw1.", "aw1.store", "aw1.store.", "aw1..1", "aw2.store.1", "AW1.store.1", "aw1.st-ore.1", "aw1.st_ore.1",
      "aw1.store.-1", "aw1.store.+1", "aw1.store.1--2", "aw1.store.1-", "aw1.store.-", "aw1.store.1.2",
      "aw1.store.zzzzzzzzzzzzzz", "aw1.store.1y2p0ij32e8e8", "aw1.store.99999999999999999999",
      "aw1.store.\u0663", "aw1.store.\uff11", "aw1.store.A", " aw1.store.1", "aw1.store.1 ", "aw1.store.1\n",
      "aw1.store.1%00", "aw1.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.1", "aw1.st\u00f6re.1", "garbage", "null", "0"})
  void malformedTextIsRefused(String text) {
    assertThatThrownBy(() -> Cursor.parse(text)).isInstanceOf(MalformedCursorException.class)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cursor is malformed: ");
  }

  @Test
  void tooManyPartitionsOrTooLongATextIsMalformed() {
    assertThatThrownBy(() -> Cursor.parse("aw1.s." + "1-".repeat(4096) + "1"))
        .isInstanceOf(MalformedCursorException.class);
    assertThat(Cursor.parse("aw1.s." + "1-".repeat(4095) + "1").partitions()).isEqualTo(4096);
    assertThatThrownBy(() -> Cursor.parse("aw1.s." + "1".repeat(70_000)))
        .isInstanceOf(MalformedCursorException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(120));
  }

  @Test
  void randomGarbageIsEitherMalformedOrACursorThatRoundTrips() {
    long seed = seed();
    Random random = new Random(seed);
    String[] pieces = {"aw1.", "aw1.s.", "aw", "1.", ".", "-", "+", "0", "1", "z", "Z", "zzzzzzzzzzzzz", "s", " ",
        "\u0663", "é", "\n", "%", "aw1.ab12."};
    for (int i = 0; i < 2000; i++) {
      StringBuilder sb = new StringBuilder();
      for (int k = random.nextInt(8); k > 0; k--) {
        sb.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : pieces[random.nextInt(pieces.length)]);
      }
      String text = sb.toString();
      Throwable thrown = catchThrowable(() -> Cursor.parse(text));
      if (thrown == null) {
        Cursor c = Cursor.parse(text);
        assertThat(Cursor.parse(c.toString())).as("seed=%d text=%s", seed, text).isEqualTo(c);
        assertThat(text).as("seed=%d: only what a store could have written parses", seed)
            .matches("aw1\\.[A-Za-z0-9]{1,32}\\.[0-9a-z]+(-[0-9a-z]+)*");
      } else {
        assertThat(thrown).as("seed=%d text=%s", seed, text).isInstanceOf(MalformedCursorException.class);
      }
    }
  }

  @Test
  void cursorsOfDifferentStoresDiffer() {
    assertThat(Cursor.at("a", 1)).isNotEqualTo(Cursor.at("b", 1));
    assertThat(Cursor.at("a", 1)).isNotEqualTo(Cursor.at("a", 2));
    assertThat(Cursor.at("a", 1)).isNotEqualTo("aw1.a.2");
  }
}
